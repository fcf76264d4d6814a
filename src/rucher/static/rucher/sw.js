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

// Web push (docs/notifications.md, "Web push"): the server sends {title, body, url, tag},
// the centre's sentence in the reader's language. A tag replaces an earlier push of the same
// notification ("Claire and 2 others reacted" after "Claire reacted").
function sameOrigin(address) {
  // Only this site's pages open from a notification, whatever the payload says.
  try {
    var url = new URL(address || "/", self.location.origin);
    return new URL(url.pathname + url.search + url.hash, self.location.origin).href;
  } catch (error) {
    return new URL("/", self.location.origin).href;
  }
}

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  var icon = SHELL.filter(function (url) { return url.indexOf("icon-192") !== -1; })[0];
  event.waitUntil(self.registration.showNotification(data.title || "rucher", {
    body: data.body || "",
    icon: icon,
    badge: icon,
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    data: { url: sameOrigin(data.url) }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = sameOrigin(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i += 1) {
        if (windows[i].url === target && "focus" in windows[i]) { return windows[i].focus(); }
      }
      for (var j = 0; j < windows.length; j += 1) {
        if (new URL(windows[j].url).origin === self.location.origin && "navigate" in windows[j]) {
          return windows[j].focus().then(function (client) { return client.navigate(target); });
        }
      }
      return self.clients.openWindow(target);
    })
  );
});
