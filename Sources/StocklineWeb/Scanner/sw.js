"use strict";
// The scanner's shell from the cache, so the app opens without a network; the cache is refreshed in the background
// whenever the network answers. Writes never pass through here: the app queues them itself.
const CACHE = "stockline-scanner-v1";
const SHELL = ["/scan/", "/scan/app.js", "/scan/gs1.js", "/scan/manifest.webmanifest", "/scan/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || !SHELL.includes(url.pathname)) return;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(url.pathname);
    const fresh = fetch(event.request).then((response) => {
      if (response.ok) cache.put(url.pathname, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => undefined));
      return cached;
    }
    return fresh;
  }));
});
