// rucher's service worker (served at /sw.js by views_app.service_worker, which fills in the
// shell's list). It keeps the shell (style sheet, scripts, icons, the offline page) and shows
// the offline page when a page cannot be fetched. Pages themselves are never cached: they
// hold personal data, and a stale stream would mislead.
"use strict";
var SHELL = /*SHELL*/[];
var CACHE = "rucher-shell-v1";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { credentials: "omit" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(SHELL[0]); }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    // The shell: from the network when it answers (a new version), else from the cache.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () { return caches.match(url.pathname); }));
  }
});
