// "Notifications on this device" on /settings/notifications/ (docs/notifications.md, "Web
// push"): asks the browser's permission, subscribes through the service worker's pushManager
// with the server's public key, and hands the subscription to the API; shows whether this
// browser receives them, blocked them, or cannot. The texts come translated from the page.
(function () {
  "use strict";
  var box = document.getElementById("push-device");
  if (!box) { return; }
  var state = document.getElementById("push-state");
  var enable = document.getElementById("push-enable");
  var disable = document.getElementById("push-disable");
  var api = box.dataset.api;

  function show(name) {
    box.dataset.state = name;
    state.textContent = box.dataset["text" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
    document.getElementById("push-enable-box").hidden = !(name === "off" || name === "failed");
    document.getElementById("push-disable-box").hidden = name !== "on";
  }

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
    catch (error) { return ""; }
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function sameKey(subscription, wanted) {
    var held = subscription.options && subscription.options.applicationServerKey;
    if (!held) { return true; }
    var have = new Uint8Array(held);
    if (have.length !== wanted.length) { return false; }
    for (var i = 0; i < have.length; i += 1) { if (have[i] !== wanted[i]) { return false; } }
    return true;
  }

  function send(method, body) {
    return fetch(api, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok && !(method === "DELETE" && response.status === 404)) {
        throw new Error("HTTP " + response.status);
      }
    });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window) || !api) {
    show("unsupported");
    return;
  }

  function refresh() {
    if (Notification.permission === "denied") { show("blocked"); return; }
    // Without the permission there is no subscription to look for.
    if (Notification.permission !== "granted") { show("off"); return; }
    navigator.serviceWorker.ready
      .then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        show(subscription ? "on" : "off");
      })
      .catch(function () { show("off"); });
  }

  enable.addEventListener("click", function () {
    var wanted = keyBytes(box.dataset.publicKey || "");
    enable.disabled = true;
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") { show(permission === "denied" ? "blocked" : "off"); return null; }
      return navigator.serviceWorker.ready.then(function (registration) {
        var manager = registration.pushManager;
        return manager.getSubscription().then(function (old) {
          if (old && sameKey(old, wanted)) { return old; }
          // A subscription made with another server key (the keys were changed): replaced.
          return (old ? old.unsubscribe() : Promise.resolve(true)).then(function () {
            return manager.subscribe({ userVisibleOnly: true, applicationServerKey: wanted });
          });
        });
      }).then(function (subscription) {
        return send("POST", subscription.toJSON());
      }).then(function () { show("on"); });
    }).catch(function () { show("failed"); }).then(function () { enable.disabled = false; });
  });

  disable.addEventListener("click", function () {
    disable.disabled = true;
    navigator.serviceWorker.ready
      .then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) { return null; }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () { return send("DELETE", { endpoint: endpoint }); });
      })
      .then(function () { show("off"); })
      .catch(function () { show("failed"); })
      .then(function () { disable.disabled = false; });
  });

  refresh();
})();
