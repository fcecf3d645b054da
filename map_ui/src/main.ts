import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import 'maplibre-gl/dist/maplibre-gl.css'
import './styles.css'
import App from './App.vue'
import { setUnauthorizedHandler } from './api/http'
import { expire } from './auth/session'
import { zhCN as t } from './i18n/zh-CN'
import { router, sendToSignIn } from './router'

// Any 401 on a call: the session is over; back to the sign-in page, saying why.
setUnauthorizedHandler(() => {
  expire(t.auth.expired)
  sendToSignIn()
})

// The command screen (/command/) is a full-screen dashboard of its own, outside the shell.
if (window.location.pathname.startsWith('/command/')) {
  void import('./command/CommandApp.vue').then(({ default: CommandApp }) => createApp(CommandApp).mount('#app'))
} else {
  createApp(App).use(router).mount('#app')
}
