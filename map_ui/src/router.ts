// Screens by hash address (#/login, #/map, #/admin/users …) and who may open them.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { can, needsWindow, restore, session } from './auth/session'
import { ADMIN_SCREENS, MENU_GROUPS, WORK_SCREENS, homeRoute } from './screens'
import { zhCN as t } from './i18n/zh-CN'
import LoginView from './views/LoginView.vue'
import AppLayout from './layout/AppLayout.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** The permission needed to open the screen (its menu entry shows only with it). */
    permission?: string
    title?: string
    public?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: t.auth.title } },
  {
    path: '/public/draws/:number',
    name: 'public-draw',
    component: () => import('./views/inspection/PublicDrawView.vue'),
    meta: { public: true, title: t.inspectionDraw.publicTitle },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      // Where `/` leads depends on who is signed in, known only once the guard below has
      // restored the session (a redirect here would be resolved before that).
      { path: '', name: 'home', component: () => import('./views/ForbiddenView.vue') },
      {
        path: 'map',
        name: 'map',
        component: () => import('./views/MapScreen.vue'),
        meta: { permission: 'map.view', title: t.menu.map },
      },
      ...WORK_SCREENS.map(({ path, name, permission, title, component }) => ({
        path,
        name,
        component,
        meta: { permission, title },
      })),
      {
        path: 'events/:id(\\d+)',
        name: 'event',
        component: () => import('./views/work/EventView.vue'),
        meta: { permission: 'event.view', title: t.menu.event },
      },
      ...[...MENU_GROUPS.flatMap((g) => g.screens), ...ADMIN_SCREENS].map(({ path, name, permission, title, component }) => ({
        path,
        name,
        component,
        meta: { permission, title },
      })),
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('./views/ForbiddenView.vue'),
        meta: { title: t.shell.forbiddenTitle },
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  const me = await restore().catch(() => null)
  if (to.meta.public) return me && !needsWindow(me) && to.name === 'login' ? homeRoute() : true
  if (!me || needsWindow(me)) {
    const redirect = to.fullPath === '/' ? undefined : to.fullPath
    return { name: 'login', query: redirect ? { redirect } : {} }
  }
  if (to.name === 'home') return homeRoute()
  if (to.meta.permission && !can(to.meta.permission)) return { name: 'forbidden' }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · ${t.app.title}` : t.app.title
})

/** Any 401 from the API: back to the sign-in page with the reason. */
export function sendToSignIn(): void {
  const current = router.currentRoute.value
  if (current.name === 'login') return
  const redirect = current.fullPath
  void router.replace({ name: 'login', query: redirect && redirect !== '/' ? { redirect } : {} })
}

export { session }
