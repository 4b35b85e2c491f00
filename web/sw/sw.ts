/// <reference lib="webworker" />
/**
 * The service worker, its own small program: precache the build (app shell, workers, kernel.wasm,
 * the sample) listed by vite-plugin-pwa into `self.__WB_MANIFEST`, then answer every same-origin GET
 * from that cache so the page loads and verifies with no network at all. Nothing else: no runtime
 * caching, no requests of its own beyond the precache.
 *
 * Updates: a new build has a new manifest, hence a new cache name. The new worker installs and waits;
 * the page shows "new version available — reload", and only then does it take over (SKIP_WAITING).
 */
export {};

interface PrecacheEntry {
  url: string;
  revision: string | null;
}

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

const manifest: PrecacheEntry[] = self.__WB_MANIFEST.map((e) => (typeof e === 'string' ? { url: e, revision: null } : e));
const CACHE = `sealcheck-${hash(manifest.map((e) => `${e.url} ${e.revision ?? ''}`).join('\n'))}`;
/** Absolute URL of each precached file, resolved against the worker's own location (any sub-path). */
const urls = manifest.map((e) => new URL(e.url, self.location.href).href);
const indexUrl = new URL('index.html', self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(urls.map((u) => new Request(u, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('sealcheck-') && name !== CACHE) await caches.delete(name);
      // The very first visit: control the page now so that it works offline without a second load.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const url = new URL(req.url);
      url.hash = '';
      if (req.mode === 'navigate' && url.href.startsWith(self.registration.scope)) {
        const page = await cache.match(url.pathname.endsWith('/') ? indexUrl : url.href, { ignoreSearch: true });
        if (page) return page;
      }
      const hit = await cache.match(url.href, { ignoreSearch: true });
      return hit ?? fetch(req);
    })(),
  );
});

/** FNV-1a, enough to name a cache after the manifest. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
