/* Saves each answer to the server as soon as it is given; the countdown is only a display. */
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) { return; }
  var token = form.querySelector("input[name=csrf_token]");
  var base = form.getAttribute("data-save-url");
  var timers = {};

  function save(fieldset, tries) {
    var id = fieldset.getAttribute("data-question");
    var body = new URLSearchParams();
    fieldset.querySelectorAll("input, select").forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      body.append(el.name, el.value);
    });
    var state = fieldset.querySelector(".save-state");
    state.textContent = form.getAttribute("data-saving") || "…";
    return fetch(base + encodeURIComponent(id), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : "", "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) {
        if (data.closed) { window.location.reload(); return; }
        if (response.status === 429 && data.retry && (tries || 0) < 5) {  /* saving too fast: keep the answer, send it again */
          state.textContent = data.error;
          setTimeout(function () { save(fieldset, (tries || 0) + 1); }, 3000);
          return;
        }
        state.textContent = data.saved ? "✓" : (data.error || "!");
        state.classList.toggle("error", !data.saved);
      });
    }).catch(function () { state.textContent = "!"; state.classList.add("error"); });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) { save(fieldset); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") { return; }
    var fieldset = event.target.closest("fieldset[data-question]");
    var id = fieldset.getAttribute("data-question");
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () { save(fieldset); }, 600);
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.value === "submit" && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  var clock = document.getElementById("countdown");
  if (clock) {
    var end = Date.now() + 1000 * parseInt(clock.getAttribute("data-remaining"), 10);
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) { window.location.reload(); return; }  /* the server has graded it */
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
