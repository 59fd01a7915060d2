// Polls an export's analysis and reloads the page when it has finished. A static file (no
// inline script, for the Content-Security-Policy): the element names its status URL.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-label]");
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + " %"; }
        if (label) { label.textContent = state.label + " — " + state.percent + " %"; }
        if (state.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 700);
})();
