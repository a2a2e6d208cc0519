// Forms with a target kind show only the fields that apply to it (the fields stay in the page without script).
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var target = form.querySelector("[name=target_kind]");
    if (!target || !form.querySelector("[data-show-for]")) { return; }
    function sync() {
      form.querySelectorAll("[data-show-for]").forEach(function (el) {
        el.hidden = el.getAttribute("data-show-for").split(" ").indexOf(target.value) < 0;
      });
    }
    target.addEventListener("change", sync);
    sync();
  });
})();
