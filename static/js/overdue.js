// The overdue list: one box ticks every person shown.
(function () {
  "use strict";
  var all = document.getElementById("tick-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("#remind-form input[name=person]").forEach(function (box) { box.checked = all.checked; });
  });
}());
