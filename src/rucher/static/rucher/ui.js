// Small behaviours of the pages, here rather than in inline handlers: the
// Content-Security-Policy runs no inline script and HTMX runs no eval (base.html).
(function () {
  "use strict";
  // A form marked data-reset-on-success (the composer) empties after its own request
  // succeeded; requests made by its fields (similar questions while typing) do not count.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form && form.matches && form.matches("form[data-reset-on-success]")) {
      form.reset();
      if (form.matches("[data-folds]")) { fold(form); }
    }
  });
  // A button data-empties="ID" empties that element (the notification menu's Close).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-empties]") : null;
    if (!button) { return; }
    var target = document.getElementById(button.dataset.empties);
    if (target) { target.replaceChildren(); }
  });

  // A select data-submit-on-change sends its form as soon as the choice changes (the
  // language switch: no second button).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-submit-on-change]") && select.form) {
      select.form.requestSubmit();
    }
  });

  // The composer (form[data-folds]) shows one line until it is used, and opens in place.
  function fold(form) {
    var text = form.querySelector("textarea");
    if (!form.contains(document.activeElement) && (!text || !text.value.trim())) {
      form.classList.add("is-folded");
    }
  }
  // Delegated, so that a composer HTMX puts back (with an error message) still folds.
  function foldable(target) {
    return target && target.closest ? target.closest("form[data-folds]") : null;
  }
  document.querySelectorAll("form[data-folds]").forEach(fold);
  document.addEventListener("focusin", function (event) {
    var form = foldable(event.target);
    if (form) { form.classList.remove("is-folded"); }
  });
  document.addEventListener("input", function (event) {
    var form = foldable(event.target);
    if (form) { form.classList.remove("is-folded"); }
  });
  document.addEventListener("focusout", function (event) {
    var form = foldable(event.target);
    if (form) { window.setTimeout(function () { fold(form); }, 150); }
  });
  document.addEventListener("keydown", function (event) {
    var form = event.key === "Escape" ? foldable(event.target) : null;
    var text = form ? form.querySelector("textarea") : null;
    if (text && !text.value.trim()) { text.blur(); form.classList.add("is-folded"); }
  });

  // The navigation column becomes a menu on a phone: the header's button opens it.
  var toggle = document.querySelector(".menu-toggle");
  function setNav(open) {
    document.body.classList.toggle("nav-open", open);
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      setNav(open);
      if (open) {
        var first = document.querySelector("#side-nav a");
        if (first) { first.focus(); }
      }
    });
  }
  // Escape closes what is open: the phone menu, a <details> menu, the notification menu.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (document.body.classList.contains("nav-open")) { setNav(false); if (toggle) { toggle.focus(); } return; }
    var details = event.target.closest ? event.target.closest("details.menu[open]") : null;
    if (details) {
      details.open = false;
      details.querySelector("summary").focus();
      return;
    }
    var menu = document.getElementById("notification-menu");
    if (menu && menu.childElementCount) {
      menu.replaceChildren();
      var bell = document.getElementById("notification-bell");
      if (bell) { bell.focus(); }
    }
  });
  // A click outside an open <details> menu closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (details) {
      if (!details.contains(event.target)) { details.open = false; }
    });
  });

  // A long thread opens on its newest replies (issue 16): a link to an earlier one
  // (#c<id>, from a notification, a search, a summary) opens the whole thread instead.
  function showEarlierReplies() {
    var hash = window.location.hash;
    if (!/^#c[0-9]+$/.test(hash) || document.getElementById(hash.slice(1))) { return; }
    var earlier = document.querySelector("a[data-earlier-replies]");
    if (earlier) { window.location.replace(earlier.href.split("#")[0] + hash); }
  }
  showEarlierReplies();
  window.addEventListener("hashchange", showEarlierReplies);

  // Installable: the service worker keeps the shell and the offline page.
  var script = document.currentScript;
  var worker = script && script.dataset.serviceWorker;
  if (worker && "serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {});
    });
  }
})();
