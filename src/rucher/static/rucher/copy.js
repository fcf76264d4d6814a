// "Copy" buttons next to a read-only field (the feed links in the settings): copy the field's
// text; where the clipboard API is not allowed (plain http), select it for Ctrl+C.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = button.parentElement.querySelector("input");
  if (!field) return;
  field.select();
  const done = () => { button.textContent = button.dataset.copiedLabel || button.textContent; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});
