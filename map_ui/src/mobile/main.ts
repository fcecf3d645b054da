// The field app (/m/): the same build as the desktop, with its own small router, the
// report outbox, a web manifest and a service worker that keeps the app shell offline.
import { createApp } from 'vue'
import App from '../App.vue'
import { setUnauthorizedHandler } from '../api/http'
import { expire } from '../auth/session'
import { zhCN as t } from '../i18n/zh-CN'
import { startOutbox } from './outbox'
import { mobileRouter, sendToMobileSignIn } from './router'
import './mobile.css'

function addHeadLink(rel: string, href: string): void {
  const link = document.createElement('link')
  link.rel = rel
  link.href = href
  document.head.appendChild(link)
}

export function mountMobile(): void {
  addHeadLink('manifest', '/m/manifest.webmanifest')
  addHeadLink('apple-touch-icon', '/m/icon-192.png')
  const theme = document.createElement('meta')
  theme.name = 'theme-color'
  theme.content = '#1f5fbf'
  document.head.appendChild(theme)
  setUnauthorizedHandler(() => {
    expire(t.auth.expired)
    sendToMobileSignIn()
  })
  createApp(App).use(mobileRouter).mount('#app')
  startOutbox()
  if ('serviceWorker' in navigator) void installWorker()
}

/** Register the worker and hand it the built files this page already loaded (the page's
 * own lazily loaded parts are not named in index.html) so that all open offline. */
async function installWorker(): Promise<void> {
  try {
    await navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' })
    const ready = await navigator.serviceWorker.ready
    const loaded = performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name))
      .filter((u) => u.origin === location.origin && u.pathname.startsWith('/assets/'))
      .map((u) => u.pathname)
    ready.active?.postMessage({ cache: [...new Set(loaded)] })
  } catch {
    // no worker (e.g. a plain-HTTP address other than localhost): the app works online
  }
}
