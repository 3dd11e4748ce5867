// Live preview for the recap editor: posts the summary form to the preview endpoint as the
// organizer types (debounced) and shows the returned fragment, the same HTML as the PDF body.
// Without JavaScript the "Preview" button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("summary-form");
  var target = document.getElementById("recap-preview");
  var status = document.getElementById("preview-status");
  var state = document.getElementById("preview-state");
  if (!form || !target || !window.fetch) return;
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    var body = new FormData(form);
    body.delete("action");
    status.textContent = "Updating preview…";
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) { return { ok: response.ok, html: html }; });
      })
      .then(function (result) {
        if (ticket !== latest) return; // a newer request is on its way
        // The fragment is rendered and sanitised by the server (markdown-it + nh3, autoescape).
        target.innerHTML = result.html;
        // What is shown is now the unsaved draft, whatever the saved recap's state.
        if (result.ok && state) {
          state.textContent = "with your unsaved changes, as it would be approved";
          state.setAttribute("data-state", "draft");
          target.setAttribute("data-state", "draft");
        }
        status.textContent = result.ok ? "Preview up to date (not saved)." : "Preview not updated.";
      })
      .catch(function () {
        if (ticket === latest) status.textContent = "Preview unavailable; use the Preview button.";
      });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();
