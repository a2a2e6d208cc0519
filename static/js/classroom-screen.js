// The classroom screen: fetch the current sign-in code every few seconds and redraw the QR code.
(function () {
  "use strict";
  var screen = document.querySelector(".classroom-screen");
  if (!screen) { return; }
  var url = screen.getAttribute("data-code-url");
  var last = null;
  function refresh() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var count = document.getElementById("classroom-count");
        if (count) { count.textContent = String(data.signed_in); }
        if (data.code && data.code !== last) {
          last = data.code;
          var code = document.getElementById("classroom-code");
          var img = document.getElementById("classroom-qr");
          if (code) { code.textContent = data.code; }
          if (img) { img.setAttribute("src", data.qr); }
        }
      })
      .catch(function () { /* the next tick tries again */ });
  }
  refresh();
  window.setInterval(refresh, 5000);
}());
