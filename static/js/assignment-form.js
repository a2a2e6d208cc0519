// The guided assignment form shows only the fields that apply to the kind of target and item chosen.
(function () {
  "use strict";
  var form = document.getElementById("assignment-form");
  if (!form) { return; }
  var target = form.querySelector("[name=target_kind]");
  var what = form.querySelector("[name=what]");
  function sync() {
    var kind = target ? target.value : "";
    var item = what && what.value ? what.value.split(":")[0] : "course";
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for").split(" ").indexOf(kind) < 0;
    });
    form.querySelectorAll("[data-show-for-what]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for-what").split(" ").indexOf(item) < 0;
    });
  }
  // a changed field invalidates the reach shown: saving needs a fresh count
  form.addEventListener("change", function () {
    ["reach_seen", "lost_seen"].forEach(function (name) {
      var seen = form.querySelector("[name=" + name + "]");
      if (seen) { seen.value = ""; }
    });
    sync();
  });
  sync();
}());

// archiving cannot be undone: ask first
document.querySelectorAll("form[data-confirm]").forEach(function (f) {
  "use strict";
  f.addEventListener("submit", function (event) {
    if (!window.confirm(f.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
});
