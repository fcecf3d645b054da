// The field app's service worker (scope /m/): keeps the app shell — the page and the
// built files under /assets/ — so the app opens with no network. API calls are never
// cached: they go to the network, and a report made offline waits in IndexedDB instead.
const SHELL = 'township-m-shell-v1'
const PAGE = '/m/'
const ICONS = ['/m/manifest.webmanifest', '/m/icon-192.png', '/m/icon-512.png', '/m/icon.svg']

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL)
      const page = await fetch(PAGE, { cache: 'no-cache' })
      await cache.put(PAGE, page.clone())
      await cache.addAll(ICONS)
      // The page names its hashed files: cache them now rather than on first use.
      const html = await page.text()
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
      await cache.addAll(assets)
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== SHELL) await caches.delete(key)
      await self.clients.claim()
    })(),
  )
})

// The page names the built files it loaded on demand: keep them too.
self.addEventListener('message', (event) => {
  const urls = (event.data && event.data.cache) || []
  const assets = urls.filter((u) => typeof u === 'string' && u.startsWith('/assets/'))
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(assets)))
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change content: cache first, then remember what was fetched.
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone()
              void caches.open(SHELL).then((cache) => cache.put(request, copy))
            }
            return response
          }),
      ),
    )
    return
  }
  if (request.mode === 'navigate' && (url.pathname === '/m' || url.pathname.startsWith('/m/'))) {
    // The page: the network's newest when it answers, the cached shell when it does not.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone()
            void caches.open(SHELL).then((cache) => cache.put(PAGE, copy))
          }
          return response
        })
        .catch(() => caches.match(PAGE).then((hit) => hit || Response.error())),
    )
    return
  }
  if (ICONS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)))
  }
  // Everything else (the API, tiles, fonts): network only, not touched here.
})
