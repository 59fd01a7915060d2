// A bulk job's page: refresh its status box until the job has finished. The URL comes from the
// box's data-status-url attribute; a file, not an inline script, for the Content-Security-Policy.
(function () {
  var first = document.getElementById("job-status");
  var url = first && first.closest("[data-status-url]") && first.closest("[data-status-url]").getAttribute("data-status-url");
  if (!url) { return; }
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
      var box = document.getElementById("job-status");
      box.outerHTML = html;
      if (document.getElementById("job-status").dataset.finished !== "true") { setTimeout(poll, 1500); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
