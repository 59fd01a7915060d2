// The case page's letters panel: replaces each letter being prepared by its fresh row (served by
// the letter_status view) until it is ready or failed, then says so. Without this script the
// page reloads itself (<noscript> refresh) and each row has a reload link. Gives up after about
// ten minutes; the reload link still works.
(function () {
  "use strict";
  var status = document.getElementById("letters-preparing");

  function stillPreparing() {
    return document.querySelectorAll("#letters [data-poll]").length > 0;
  }

  function settle() {
    if (status && !stillPreparing()) {
      // A failed letter says so in its own row, with a button to try again.
      var failed = document.querySelector("#letters li.letter [role=alert]");
      status.textContent = failed ? "" : status.getAttribute("data-ready") || "";
    }
  }

  function poll(item, delay, left) {
    var url = item.getAttribute("data-poll");
    if (!url || left <= 0) {
      return;
    }
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          var box = document.createElement("div");
          box.innerHTML = html.trim();
          var fresh = box.firstElementChild;
          if (!fresh) {
            return;
          }
          item.replaceWith(fresh);
          if (fresh.hasAttribute("data-poll")) {
            poll(fresh, Math.min(delay * 1.5, 10000), left - 1);
          } else {
            settle();
          }
        })
        .catch(function () {
          poll(item, Math.min(delay * 2, 30000), left - 1);
        });
    }, delay);
  }

  document.querySelectorAll("#letters [data-poll]").forEach(function (item) {
    poll(item, 1000, 80);
  });
})();
