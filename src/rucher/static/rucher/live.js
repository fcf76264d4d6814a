/* Live updates (docs/live-updates.md): one EventSource per page, for signed-in people.
 *
 * The server pushes no HTML and nothing but counts: "posts" (new posts for my home stream),
 * "replies" (new replies under the conversation open here), "messages" (new direct messages in
 * the conversation open here), "unread" (my unread notifications).
 * The page then fetches what to show through the pages themselves, which apply the read
 * policy as always. Without JavaScript (or EventSource) pages work as before.
 */
(function () {
  "use strict";
  if (!("EventSource" in window) || !window.fetch || !window.DOMParser) return;
  var script = document.currentScript;
  var url = (script && script.getAttribute("data-events")) || "/events/";
  var banner = document.getElementById("new-posts");
  var replies = document.getElementById("replies");
  var watching = replies && replies.getAttribute("data-live-content");
  if (watching) url += "?content=" + encodeURIComponent(watching);
  var thread = document.getElementById("message-thread");
  var conversation = thread && thread.getAttribute("data-live-conversation");
  if (conversation) url += (url.indexOf("?") < 0 ? "?" : "&") + "conversation=" + encodeURIComponent(conversation);

  var root = document.documentElement;
  var pending = [];
  var busy = {};
  var again = {};

  function page(href) {
    return fetch(href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error("HTTP " + answer.status);
        return answer.text();
      })
      .then(function (text) { return new DOMParser().parseFromString(text, "text/html"); });
  }

  // One fetch at a time per kind; a push arriving meanwhile asks for one more afterwards.
  function once(kind, work) {
    if (busy[kind]) { again[kind] = true; return; }
    busy[kind] = true;
    work().catch(function () { /* the next push, or a reload, will show it */ })
      .then(function () {
        busy[kind] = false;
        if (again[kind]) { again[kind] = false; once(kind, work); }
      });
  }

  function activate(node) {
    if (window.htmx) window.htmx.process(node);
  }

  function homeUrl() {
    var here = new URL(window.location.href);
    here.searchParams.delete("cursor");
    here.hash = "";
    return here.toString();
  }

  function showBanner() {
    var button = banner.querySelector("button");
    var count = pending.length;
    button.textContent = count === 1 ? button.getAttribute("data-one")
      : button.getAttribute("data-other").replace("{n}", String(count));
    banner.hidden = count === 0;
  }

  // The first page of my stream as the server renders it now; what is above the newest item
  // shown here is new. So the banner counts exactly what the stream shows.
  function checkPosts() {
    return page(homeUrl()).then(function (doc) {
      var list = document.getElementById("stream-items");
      var fresh = doc.getElementById("stream-items");
      if (!list || !fresh) return;
      var news = [];
      for (var i = 0; i < fresh.children.length; i++) {
        var item = fresh.children[i];
        if (!item.id) continue;
        if (document.getElementById(item.id)) break;
        news.push(item);
      }
      pending = news;
      showBanner();
    });
  }

  function showPosts() {
    var list = document.getElementById("stream-items");
    for (var i = pending.length - 1; i >= 0; i--) {
      var node = document.importNode(pending[i], true);
      list.insertBefore(node, list.firstChild);
      activate(node);
    }
    pending = [];
    showBanner();
    var empty = document.querySelector("#main .empty");
    if (empty && list.children.length) empty.hidden = true;
  }

  function checkReplies() {
    // With its query: a long thread opened whole (?replies=all) stays whole (issue 16).
    return page(window.location.pathname + window.location.search).then(function (doc) {
      var fresh = doc.getElementById("replies");
      if (!fresh) return;
      replies.innerHTML = fresh.innerHTML;
      activate(replies);
    });
  }

  // The conversation as its page shows it now (fetching it marks the messages read, as
  // opening the page does: the person is looking at it). Someone reading near the end
  // follows the new messages; someone reading earlier ones is left where they are.
  function checkMessages() {
    return page(window.location.pathname).then(function (doc) {
      var fresh = doc.getElementById("message-thread");
      if (!fresh) return;
      var atEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
      thread.innerHTML = fresh.innerHTML;
      activate(thread);
      var last = thread.querySelector("article.message:last-of-type");
      if (atEnd && last) last.scrollIntoView({ block: "end" });
    });
  }

  function showUnread(count) {
    var badge = document.getElementById("notification-count");
    if (!badge) return;
    badge.textContent = String(count);
    badge.setAttribute("data-count", String(count));
    badge.hidden = count === 0;
  }

  if (banner) {
    banner.querySelector("button").addEventListener("click", showPosts);
  }

  var source = null;
  var lastId = "";

  function connect() {
    // A stream opened again (back to a page kept in the browser's cache) resumes where the
    // previous one stopped, as the browser's own reconnection does with Last-Event-ID.
    var since = lastId ? (url.indexOf("?") < 0 ? "?" : "&") + "since=" + lastId : "";
    source = new EventSource(url + since);
    function seen(event) { if (event.lastEventId) lastId = event.lastEventId; }
    source.addEventListener("ready", function (event) {
      seen(event);
      root.setAttribute("data-live", "open");
    });
    source.addEventListener("posts", function (event) {
      seen(event);
      if (banner) once("posts", checkPosts);
    });
    source.addEventListener("replies", function (event) {
      seen(event);
      if (replies) once("replies", checkReplies);
    });
    source.addEventListener("messages", function (event) {
      seen(event);
      if (thread) once("messages", checkMessages);
    });
    source.addEventListener("unread", function (event) {
      seen(event);
      showUnread(JSON.parse(event.data).count);
    });
    source.addEventListener("error", function () {
      // The browser reconnects by itself (sending Last-Event-ID), unless the server refused.
      root.setAttribute("data-live", source.readyState === EventSource.CLOSED ? "closed" : "retrying");
    });
  }

  connect();
  window.addEventListener("pagehide", function () { source.close(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) connect(); });
})();
