// The screens of the menu and the permission each needs (the router and the menu agree).
import { can, session } from './auth/session'
import { zhCN as t } from './i18n/zh-CN'

/** The system-administration screens, in menu order. */
export const ADMIN_SCREENS = [
  { path: 'admin/users', name: 'users', permission: 'system.user.view', title: t.menu.users,
    component: () => import('./views/admin/UsersView.vue') },
  { path: 'admin/roles', name: 'roles', permission: 'system.role.view', title: t.menu.roles,
    component: () => import('./views/admin/RolesView.vue') },
  { path: 'admin/departments', name: 'departments', permission: 'system.department.view',
    title: t.menu.departments, component: () => import('./views/admin/DepartmentsView.vue') },
  { path: 'admin/regions', name: 'regions', permission: 'system.region.view', title: t.menu.regions,
    component: () => import('./views/admin/RegionsView.vue') },
  { path: 'admin/grids', name: 'grids', permission: 'grid.assign', title: t.menu.grids,
    component: () => import('./views/grid/GridsView.vue') },
  { path: 'admin/centres', name: 'centres', permission: 'system.centre.view', title: t.menu.centres,
    component: () => import('./views/admin/CentresView.vue') },
  { path: 'admin/parameters', name: 'parameters', permission: 'system.parameter.view',
    title: t.menu.parameters, component: () => import('./views/admin/ParametersView.vue') },
  { path: 'admin/calendar', name: 'calendar', permission: 'system.calendar.view',
    title: t.menu.calendar, component: () => import('./views/admin/CalendarView.vue') },
  { path: 'admin/audit', name: 'audit', permission: 'system.audit.view', title: t.menu.audit,
    component: () => import('./views/admin/AuditView.vue') },
  { path: 'admin/open311-keys', name: 'open311-keys', permission: 'system.parameter.view',
    title: t.menu.open311Keys, component: () => import('./views/admin/Open311KeysView.vue') },
] as const // prettier-ignore

/** The grid-governance desks (网格化), in menu order. `audience` narrows the menu entry
 * beyond the permission: the department desk is for department staff, 我的工单 for grid
 * members (both hold event.handle); the screens themselves work for either. */
export const WORK_SCREENS = [
  { path: 'work/workbench', name: 'workbench', permission: 'event.dispatch', title: t.menu.workbench,
    component: () => import('./views/work/WorkbenchView.vue') },
  { path: 'work/department', name: 'department-desk', permission: 'event.handle',
    title: t.menu.departmentDesk, audience: 'department',
    component: () => import('./views/work/DepartmentDesk.vue') },
  { path: 'work/mine', name: 'my-work-orders', permission: 'event.handle',
    title: t.menu.myWorkOrders, audience: 'member',
    component: () => import('./views/work/MyWorkOrders.vue') },
  { path: 'work/query', name: 'general-query', permission: 'event.view', title: t.menu.generalQuery,
    component: () => import('./views/work/GeneralQueryView.vue') },
  { path: 'work/extensions', name: 'extension-review', permission: 'event.review_extension',
    title: t.menu.extensionReview, component: () => import('./views/work/ExtensionReview.vue') },
  { path: 'work/report', name: 'report-event', permission: 'event.report',
    title: t.menu.reportEvent, component: () => import('./views/work/ReportEvent.vue') },
  { path: 'attendance/review', name: 'attendance', permission: 'attendance.review',
    title: t.menu.attendance, component: () => import('./views/attendance/AttendanceView.vue') },
  { path: 'attendance/mine', name: 'myAttendance', permission: 'attendance.check_in',
    title: t.menu.myAttendance, component: () => import('./views/attendance/MyAttendanceView.vue') },
] as const // prettier-ignore

/** A screen of a menu group below. */
export interface Screen {
  path: string
  name: string
  permission: string
  title: string
  component: () => Promise<unknown>
}

/** 双随机抽查: the registers, the red / white / black lists, draws and inspection tasks. */
export const INSPECTION_SCREENS: Screen[] = [
  { path: 'inspection/categories', name: 'supervision-categories', permission: 'inspection.view',
    title: t.inspectionRegisters.categoriesTitle,
    component: () => import('./views/inspection/SupervisionCategoriesView.vue') },
  { path: 'inspection/objects', name: 'supervised-objects', permission: 'inspection.view',
    title: t.inspectionRegisters.objectsTitle,
    component: () => import('./views/inspection/SupervisedObjectsView.vue') },
  { path: 'inspection/officers', name: 'inspection-officers', permission: 'inspection.view',
    title: t.inspectionStaff.officersTitle, component: () => import('./views/inspection/OfficersView.vue') },
  { path: 'inspection/experts', name: 'inspection-experts', permission: 'inspection.view',
    title: t.inspectionStaff.expertsTitle, component: () => import('./views/inspection/ExpertsView.vue') },
  { path: 'inspection/items', name: 'inspection-items', permission: 'inspection.view',
    title: t.inspectionStaff.itemsTitle, component: () => import('./views/inspection/ItemsView.vue') },
  { path: 'inspection/draw', name: 'inspection-draw', permission: 'inspection.draw',
    title: t.menu.inspectionDraw, component: () => import('./views/inspection/DrawView.vue') },
  { path: 'inspection/draws', name: 'inspection-draws', permission: 'inspection.view',
    title: t.menu.inspectionDraws, component: () => import('./views/inspection/DrawsView.vue') },
  { path: 'inspection/my-tasks', name: 'inspection-my-tasks', permission: 'inspection.perform',
    title: t.inspectionTasks.menuMine,
    component: () => import('./views/inspection/MyInspectionTasksView.vue') },
  { path: 'inspection/tasks', name: 'inspection-tasks', permission: 'inspection.view',
    title: t.inspectionTasks.menuTasks,
    component: () => import('./views/inspection/InspectionTasksView.vue') },
  { path: 'inspection/lists', name: 'inspection-lists', permission: 'inspection.view',
    title: t.riskLists.menu, component: () => import('./views/inspection/RiskListsView.vue') },
] // prettier-ignore

/** 综合执法: patrol plans and task dispatch. */
export const ENFORCEMENT_SCREENS: Screen[] = [
  { path: 'enforcement/patrols', name: 'patrol-plans', permission: 'patrol.plan',
    title: t.enforcement.screens.patrolPlans, component: () => import('./views/enforcement/PatrolPlansView.vue') },
  { path: 'enforcement/my-patrols', name: 'my-patrols', permission: 'patrol.perform',
    title: t.enforcement.screens.myPatrols, component: () => import('./views/enforcement/MyPatrolsView.vue') },
  { path: 'enforcement/tasks', name: 'enforcement-tasks', permission: 'task.dispatch',
    title: t.enforcement.screens.tasks, component: () => import('./views/enforcement/TasksView.vue') },
  { path: 'enforcement/my-tasks', name: 'my-enforcement-tasks', permission: 'task.perform',
    title: t.enforcement.screens.myTasks, component: () => import('./views/enforcement/MyTasksView.vue') },
] // prettier-ignore

/** 党建引领: party organisations, members and activities. */
export const PARTY_SCREENS: Screen[] = [
  { path: 'party/organisations', name: 'party-organisations', permission: 'party.view',
    title: t.party.organisationsTitle, component: () => import('./views/party/OrganisationsView.vue') },
  { path: 'party/members', name: 'party-members', permission: 'party.view',
    title: t.party.membersTitle, component: () => import('./views/party/MembersView.vue') },
  { path: 'party/activities', name: 'party-activities', permission: 'party.view',
    title: t.party.activitiesTitle, component: () => import('./views/party/ActivitiesView.vue') },
] // prettier-ignore

/** The menu groups between 网格化 and 系统管理, each shown when one of its screens may be opened. */
export const MENU_GROUPS = [
  { index: 'inspection', title: t.menu.inspection, screens: INSPECTION_SCREENS },
  { index: 'enforcement', title: t.menu.enforcement, screens: ENFORCEMENT_SCREENS },
  { index: 'party', title: t.party.menu, screens: PARTY_SCREENS },
]

/** Whether a work screen belongs in this user's menu. */
export function inWorkMenu(screen: (typeof WORK_SCREENS)[number]): boolean {
  if (!can(screen.permission)) return false
  const audience = 'audience' in screen ? screen.audience : null
  const me = session.me
  if (!audience || !me || me.superuser) return true
  return audience === 'department' ? me.department_id !== null : me.department_id === null
}

/** Where a signed-in user lands: the map, else the first screen they may open. */
export function homeRoute(): { name: string } {
  if (can('map.view')) return { name: 'map' }
  const first = [
    ...WORK_SCREENS.filter(inWorkMenu),
    ...MENU_GROUPS.flatMap((g) => g.screens),
    ...ADMIN_SCREENS,
  ].find((s) => can(s.permission))
  return { name: first ? first.name : 'forbidden' }
}

