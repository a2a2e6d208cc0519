// The host page of an online round: participation refreshes itself; closing asks first.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (box) {
    var url = box.getAttribute("data-poll");
    var seconds = parseInt(box.getAttribute("data-interval"), 10) || 20;
    window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
        if (html) { box.innerHTML = html; }
      });
    }, seconds * 1000);
  }
  var close = document.getElementById("close-form");
  if (close) {
    close.addEventListener("submit", function (event) {
      if (!window.confirm(close.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }
}());
