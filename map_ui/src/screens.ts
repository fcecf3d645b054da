// The screens of the menu and the permission each needs (the router and the menu agree).
import { can } from './auth/session'
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
  { path: 'admin/grids', name: 'grids', permission: 'system.region.view', title: t.menu.grids,
    component: () => import('./views/grid/GridsView.vue') },
  { path: 'admin/centres', name: 'centres', permission: 'system.centre.view', title: t.menu.centres,
    component: () => import('./views/admin/CentresView.vue') },
  { path: 'admin/parameters', name: 'parameters', permission: 'system.parameter.view',
    title: t.menu.parameters, component: () => import('./views/admin/ParametersView.vue') },
  { path: 'admin/calendar', name: 'calendar', permission: 'system.calendar.view',
    title: t.menu.calendar, component: () => import('./views/admin/CalendarView.vue') },
  { path: 'admin/audit', name: 'audit', permission: 'system.audit.view', title: t.menu.audit,
    component: () => import('./views/admin/AuditView.vue') },
] as const // prettier-ignore

/** Where a signed-in user lands: the map, else the first screen they may open. */
export function homeRoute(): { name: string } {
  if (can('map.view')) return { name: 'map' }
  const first = ADMIN_SCREENS.find((s) => can(s.permission))
  return { name: first ? first.name : 'forbidden' }
}

