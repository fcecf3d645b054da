// The field app's screens (under /m/, by hash address: #/home, #/report, #/me, #/login).
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { ApiError } from '../api/http'
import type { Me } from '../api/admin'
import { can, restore, session } from '../auth/session'
import { zhCN as t } from '../i18n/zh-CN'
import MobileLayout from './MobileLayout.vue'
import MobileLogin from './MobileLogin.vue'
import MobileHome from './MobileHome.vue'
import MobileMe from './MobileMe.vue'
import MobileReport from './MobileReport.vue'
import MobileOrders from './MobileOrders.vue'
import MobileOrder from './MobileOrder.vue'
import MobileCheckIn from './MobileCheckIn.vue'
import MobileInspections from './MobileInspections.vue'
import MobileInspection from './MobileInspection.vue'
import MobileItems from './MobileItems.vue'
import MobilePlaces from './MobilePlaces.vue'
import MobileNavigate from './MobileNavigate.vue'
import MobilePatrols from './MobilePatrols.vue'
import MobileTasks from './MobileTasks.vue'
import MobileTask from './MobileTask.vue'
import MobileDestinations from './MobileDestinations.vue'

// Statically imported: the whole field app is one file the service worker keeps offline.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'm-login', component: MobileLogin, meta: { public: true, title: t.mobile.signInTitle } },
  {
    path: '/',
    component: MobileLayout,
    children: [
      { path: '', redirect: { name: 'm-home' } },
      { path: 'home', name: 'm-home', component: MobileHome, meta: { title: t.mobile.appName } },
      {
        path: 'report',
        name: 'm-report',
        component: MobileReport,
        meta: { title: t.mobile.reportTitle, permission: 'event.report' },
      },
      {
        path: 'orders',
        name: 'm-orders',
        component: MobileOrders,
        meta: { title: t.mobile.ordersTitle, permission: 'event.handle' },
      },
      {
        path: 'orders/:id(\\d+)',
        name: 'm-order',
        component: MobileOrder,
        meta: { title: t.mobile.orderTitle, permission: 'event.view' },
      },
      {
        path: 'check-in',
        name: 'm-check-in',
        component: MobileCheckIn,
        meta: { title: t.mobile.checkInTitle, permission: 'attendance.check_in' },
      },
      {
        path: 'inspections',
        name: 'm-inspections',
        component: MobileInspections,
        meta: { title: t.mobileField.inspectionsTitle, permission: 'inspection.perform' },
      },
      {
        path: 'inspections/:id(\\d+)',
        name: 'm-inspection',
        component: MobileInspection,
        meta: { title: t.mobileField.inspectionTitle, permission: 'inspection.perform' },
      },
      {
        path: 'patrols',
        name: 'm-patrols',
        component: MobilePatrols,
        meta: { title: t.mobileField.patrolsTitle, permission: 'patrol.perform' },
      },
      {
        path: 'items',
        name: 'm-items',
        component: MobileItems,
        meta: { title: t.mobileField.itemsTitle, permission: 'inspection.view' },
      },
      {
        path: 'places',
        name: 'm-places',
        component: MobilePlaces,
        meta: { title: t.mobileField.placesTitle, permission: 'map.view' },
      },
      {
        path: 'navigate',
        name: 'm-navigate',
        component: MobileNavigate,
        meta: { title: t.mobileField.navigateTitle, permission: 'map.view' },
      },
      {
        path: 'tasks',
        name: 'm-tasks',
        component: MobileTasks,
        meta: { title: t.mobileTasks.tasksTitle, permission: 'task.perform' },
      },
      {
        path: 'tasks/:id(\\d+)',
        name: 'm-task',
        component: MobileTask,
        meta: { title: t.mobileTasks.taskTitle, permission: 'task.perform' },
      },
      {
        path: 'destinations',
        name: 'm-destinations',
        component: MobileDestinations,
        meta: { title: t.mobileTasks.destinationsTitle, permission: 'map.view' },
      },
      { path: 'me', name: 'm-me', component: MobileMe, meta: { title: t.mobile.meTitle } },
    ],
  },
  { path: '/:rest(.*)*', redirect: { name: 'm-home' } },
]

export const mobileRouter = createRouter({ history: createWebHashHistory(), routes })

// Who was signed in last, so that the app opened with no network still knows its user
// (the session cookie is checked again as soon as the network answers).
const LAST_ME = 'township-m-me'

export function rememberMe(me: Me | null): void {
  if (me) localStorage.setItem(LAST_ME, JSON.stringify({ ...me, csrf_token: null }))
  else localStorage.removeItem(LAST_ME)
}

async function currentUser(): Promise<Me | null> {
  try {
    const me = await restore()
    rememberMe(me)
    return me
  } catch (e) {
    if (e instanceof ApiError) return null
    const last = localStorage.getItem(LAST_ME)
    if (!last) return null
    session.me = JSON.parse(last) as Me // offline: the last user, until the network answers
    return session.me
  }
}

mobileRouter.beforeEach(async (to) => {
  const me = session.me ?? (await currentUser())
  if (to.meta.public) return me && to.name === 'm-login' ? { name: 'm-home' } : true
  if (!me) return { name: 'm-login' }
  if (to.meta.permission && !can(to.meta.permission)) return { name: 'm-home' }
  return true
})

mobileRouter.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · ${t.mobile.appName}` : t.mobile.appName
})

export function sendToMobileSignIn(): void {
  rememberMe(null)
  if (mobileRouter.currentRoute.value.name !== 'm-login') void mobileRouter.replace({ name: 'm-login' })
}
