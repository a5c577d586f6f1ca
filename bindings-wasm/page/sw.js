// The page's service worker: it keeps every file of the page folder in a cache, so that the
// page loads and works with no network once it has been opened. scripts/page.sh writes the
// two lines below (the list of files and a hash of their content) when it assembles the page;
// a new hash makes a new cache, and the old one is deleted once the new worker takes over.
// Paths are relative to the worker's scope, so the folder can be served under any path.

const VERSION = 'dev';
const FILES = ['./', './index.html'];

const CACHE = `galton-page-${VERSION}`;
const scoped = (path) => new URL(path, self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map(scoped))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('galton-page-') && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

// The page's "Reload" button, when a new version is waiting.
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

// Cache first for the page's own files (their content only changes with VERSION); anything
// else goes to the network untouched. A navigation with a query string or a fragment is
// still the page.
self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
      return hit ?? fetch(request);
    })(),
  );
});
