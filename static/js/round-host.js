// The host page of an online round: participation refreshes itself; closing asks first.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (box) {
    var url = box.getAttribute("data-poll");
    window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
        if (html) { box.innerHTML = html; }
      });
    }, 20000);
  }
  var close = document.getElementById("close-form");
  if (close) {
    close.addEventListener("submit", function (event) {
      if (!window.confirm(close.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }
}());
