import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import 'maplibre-gl/dist/maplibre-gl.css'
import './styles.css'
import App from './App.vue'
import { setUnauthorizedHandler } from './api/http'
import { expire } from './auth/session'
import { zhCN as t } from './i18n/zh-CN'
import { router, sendToSignIn } from './router'

// The field app lives under /m/ (same build, its own screens); the command screen under
// /command/ (a full-screen dashboard outside the shell); the rest is the desktop.
const mobile = location.pathname === '/m' || location.pathname.startsWith('/m/')

if (mobile) {
  void import('./mobile/main').then((m) => m.mountMobile())
} else {
  // Any 401 on a call: the session is over; back to the sign-in page, saying why.
  setUnauthorizedHandler(() => {
    expire(t.auth.expired)
    sendToSignIn()
  })
  if (location.pathname.startsWith('/command/')) {
    void import('./command/CommandApp.vue').then(({ default: CommandApp }) => createApp(CommandApp).mount('#app'))
  } else {
    createApp(App).use(router).mount('#app')
  }
}
