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
    }
  });
  // A button data-empties="ID" empties that element (the notification menu's Close).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-empties]") : null;
    if (!button) { return; }
    var target = document.getElementById(button.dataset.empties);
    if (target) { target.replaceChildren(); }
  });
})();
