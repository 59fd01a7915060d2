// The case page's letters panel: replace each letter being prepared by its fresh row until it is
// ready or failed. Gives up after about ten minutes; the reload link in the row still works.
// A file, not an inline script: the Content-Security-Policy allows scripts from this site only.
(function () {
  function poll(item, delay, left) {
    var url = item.getAttribute("data-poll");
    if (!url || left <= 0) { return; }
    window.setTimeout(function () {
      fetch(url, {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
        .then(function (html) {
          var box = document.createElement("div");
          box.innerHTML = html.trim();
          var fresh = box.firstElementChild;
          if (!fresh) { return; }
          item.replaceWith(fresh);
          poll(fresh, Math.min(delay * 1.5, 10000), left - 1);
        })
        .catch(function () { poll(item, Math.min(delay * 2, 30000), left - 1); });
    }, delay);
  }
  document.querySelectorAll("#letters [data-poll]").forEach(function (item) { poll(item, 1000, 80); });
})();
