// The phone menu: below 600 px the header shows only the brand and a button that opens the links.
// Without this script the links simply stay visible.
(function () {
  var bar = document.getElementById("topbar");
  var button = bar && bar.querySelector(".menu-toggle");
  if (!button) { return; }
  bar.classList.add("menu-ready");
  button.hidden = false;
  function set(open) {
    bar.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("menu-open")) { set(false); button.focus(); }
  });
})();
