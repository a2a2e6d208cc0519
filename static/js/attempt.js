/* The attempt page. Without this script the plain form still saves and submits everything;
   with it each answer is saved as soon as it is given, ordering gets up/down buttons, the
   navigator keeps count, submitting lists what is unanswered, and a stray tap on the site's
   navigation asks before leaving. The countdown is only a display: the server keeps the time. */
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) { return; }
  var token = form.querySelector("input[name=csrf_token]");
  var base = form.getAttribute("data-save-url");
  var timers = {};
  var inflight = {};  /* question id -> a save is on its way */
  var again = {};  /* question id -> changed while it was: save once more when it returns */
  var pending = 0;  /* saves typed or sent but not yet acknowledged */
  var submitting = false;
  var flagKey = "qs-flags-" + form.getAttribute("data-attempt");
  function text(name) { return form.getAttribute("data-text-" + name) || ""; }
  function questions() { return Array.prototype.slice.call(form.querySelectorAll("fieldset[data-question]")); }

  /* -- what counts as answered: the same rule as the server's (an empty answer is no answer) -- */
  function answered(fieldset) {
    var type = fieldset.getAttribute("data-type");
    var fields = Array.prototype.slice.call(fieldset.querySelectorAll("input, select"));
    if (type === "ordering") { return fields.length > 0 && fields.every(function (el) { return el.value; }); }
    return fields.some(function (el) {
      if (el.type === "radio" || el.type === "checkbox") { return el.checked; }
      return el.value.trim() !== "";
    });
  }

  function flags() {
    try { return JSON.parse(window.localStorage.getItem(flagKey) || "{}"); } catch (e) { return {}; }
  }

  function refreshNavigator() {
    var count = 0;
    var marked = flags();
    questions().forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-question");
      var done = answered(fieldset);
      if (done) { count += 1; }
      var link = document.querySelector('a[data-nav="' + id + '"]');
      if (!link) { return; }
      link.classList.toggle("answered", done);
      link.classList.toggle("unanswered", !done);
      link.classList.toggle("flagged", !!marked[id]);
      link.querySelector(".state").textContent = " " + (done ? text("answered") : text("unanswered")) +
        (marked[id] ? "，" + text("flag-state") : "");
    });
    var counter = document.getElementById("answered-count");
    if (counter) { counter.textContent = String(count); }
  }

  /* -- saving one answer -- */
  function save(fieldset, tries) {
    var id = fieldset.getAttribute("data-question");
    var state = fieldset.querySelector(".save-state");
    if (fieldset.getAttribute("data-type") === "ordering" && !answered(fieldset) &&
        fieldset.querySelector("select option:checked:not([value=''])")) {
      state.textContent = text("incomplete");  /* still ordering: nothing to save yet, and no error */
      state.classList.remove("error");
      return;
    }
    if (inflight[id]) { again[id] = true; return; }  /* one save per question at a time: a later one never overtakes */
    inflight[id] = true;
    var body = new URLSearchParams();
    fieldset.querySelectorAll("input, select").forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      body.append(el.name, el.value);
    });
    state.textContent = text("saving");
    state.classList.remove("error");
    pending += 1;
    return fetch(base + encodeURIComponent(id), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : "", "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) {
        if (data.closed) { submitting = true; window.location.reload(); return; }
        if (response.status === 429 && data.retry && (tries || 0) < 5) {  /* saving too fast: keep the answer, send it again */
          state.textContent = data.error;
          pending += 1;
          setTimeout(function () { pending -= 1; save(fieldset, (tries || 0) + 1); }, 3000);
          return;
        }
        if (again[id]) { return; }  /* newer answers are on their way: not saved yet */
        state.textContent = data.saved ? "✓ " + text("saved") : (data.error || "!");
        state.classList.toggle("error", !data.saved);
      });
    }).catch(function () { state.textContent = "!"; state.classList.add("error"); })
      .then(function () {
        pending -= 1;
        inflight[id] = false;
        if (again[id]) { again[id] = false; save(fieldset); }  /* what was given meanwhile, as it is now */
        refreshNavigator();
      });
  }

  form.addEventListener("change", function (event) {
    if (sent) { return; }  /* handed in: the submitted form carries the answers */
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) { refreshNavigator(); save(fieldset); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") { return; }
    var fieldset = event.target.closest("fieldset[data-question]");
    var id = fieldset.getAttribute("data-question");
    if (!timers[id]) { pending += 1; }
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () { timers[id] = null; pending -= 1; save(fieldset); }, 600);
    refreshNavigator();
  });

  /* -- ordering: a list with up/down buttons that writes the places into the plain selects -- */
  function enhanceOrdering(fieldset) {
    var rows = Array.prototype.slice.call(fieldset.querySelectorAll("label.rank"));
    if (!rows.length || rows[0].querySelector("select").disabled) { return; }
    var list = document.createElement("ol");
    list.className = "order-list";
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    var placed = rows.every(function (row) { return row.querySelector("select").value; });
    var sorted = rows.slice();
    if (placed) {
      sorted.sort(function (a, b) { return a.querySelector("select").value - b.querySelector("select").value; });
    }
    sorted.forEach(function (row) {
      var item = document.createElement("li");
      item.setAttribute("data-item", row.getAttribute("data-item"));
      var label = document.createElement("span");
      label.className = "order-text";
      label.innerHTML = row.querySelector(".rank-text").innerHTML;  /* our own server-rendered, escaped text */
      var name = label.textContent.trim();
      var buttons = document.createElement("span");
      buttons.className = "order-buttons";
      [["up", "↑"], ["down", "↓"]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "order-move " + pair[0];
        button.textContent = pair[1];
        button.setAttribute("aria-label", text(pair[0]) + "：" + name);
        buttons.appendChild(button);
      });
      item.appendChild(label);
      item.appendChild(buttons);
      list.appendChild(item);
      row.hidden = true;
    });
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button small keep-order";
    keep.textContent = text("keep");
    keep.hidden = placed;

    function write() {
      Array.prototype.forEach.call(list.children, function (item, place) {
        var row = fieldset.querySelector('label.rank[data-item="' + item.getAttribute("data-item") + '"] select');
        row.value = String(place + 1);
      });
      keep.hidden = true;
      refreshNavigator();
      save(fieldset);
    }
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button.order-move");
      if (!button) { return; }
      var item = button.closest("li");
      var up = button.classList.contains("up");
      var other = up ? item.previousElementSibling : item.nextElementSibling;
      if (!other) { return; }
      list.insertBefore(item, up ? other : other.nextElementSibling);
      button.focus();  /* the same button again: a keyboard user can keep pressing */
      live.textContent = text("moved").replace("{n}", String(Array.prototype.indexOf.call(list.children, item) + 1));
      write();
    });
    keep.addEventListener("click", write);
    var anchor = rows[0].parentNode;
    var how = fieldset.querySelector("[id$='-how']");
    if (how && text("order-how")) { how.textContent = text("order-how"); }
    anchor.parentNode.insertBefore(list, anchor);
    anchor.parentNode.insertBefore(keep, anchor);
    anchor.parentNode.insertBefore(live, anchor);
  }

  /* -- flags for review: the learner's own marks, kept in this browser -- */
  function addFlag(fieldset) {
    var id = fieldset.getAttribute("data-question");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "flag";
    function show() {
      var on = !!flags()[id];
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = "⚑ " + (on ? text("flagged") : text("flag"));
    }
    button.addEventListener("click", function () {
      var marked = flags();
      if (marked[id]) { delete marked[id]; } else { marked[id] = 1; }
      try { window.localStorage.setItem(flagKey, JSON.stringify(marked)); } catch (e) { /* private mode: flags last this page */ }
      show();
      refreshNavigator();
    });
    show();
    fieldset.querySelector("legend").appendChild(button);
  }

  questions().forEach(function (fieldset) {
    if (fieldset.getAttribute("data-type") === "ordering") { enhanceOrdering(fieldset); }
    addFlag(fieldset);
  });
  refreshNavigator();

  /* the navigator closes once a question is chosen, so the question is not hidden under it */
  var nav = document.getElementById("qnav");
  if (nav) {
    nav.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-nav]");
      if (!link) { return; }
      nav.open = false;
      var target = document.getElementById("q-" + link.getAttribute("data-nav"));
      if (target) {
        event.preventDefault();
        target.scrollIntoView({block: "start"});
        var first = target.querySelector("input, select, button");
        if (first) { first.focus({preventScroll: true}); }
      }
    });
  }

  /* -- submitting: a confirmation that lists the unanswered questions; one grading -- */
  var dialog = document.getElementById("submit-dialog");
  var finalButton = document.getElementById("submit-paper");
  function confirmSubmit() {
    var missing = questions().filter(function (fieldset) { return !answered(fieldset); });
    dialog.querySelector(".all-answered").hidden = missing.length > 0;
    dialog.querySelector(".some-unanswered").hidden = missing.length === 0;
    var list = dialog.querySelector(".unanswered-list");
    var count = dialog.querySelector(".unanswered-count");
    count.textContent = count.getAttribute("data-text").replace("{n}", String(missing.length));
    list.textContent = "";
    missing.forEach(function (fieldset) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + fieldset.id;
      var stem = fieldset.querySelector(".stem").textContent.trim();
      link.textContent = fieldset.getAttribute("data-n") + ". " + (stem.length > 40 ? stem.slice(0, 40) + "…" : stem);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
        fieldset.scrollIntoView({block: "start"});
        var first = fieldset.querySelector("input, select, button");
        if (first) { first.focus({preventScroll: true}); }
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    dialog.showModal();
  }
  if (dialog && typeof dialog.showModal === "function") {
    dialog.querySelector("[data-dialog-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("cancel", function (event) { if (sent) { event.preventDefault(); } });  /* no Esc once sent */
    dialog.querySelector("[data-dialog-submit]").addEventListener("click", function (event) {
      /* the dialog stays open until the result arrives: a second tap must not land on an answer below */
      var button = event.target;
      button.disabled = true;
      button.textContent = text("sending") || button.textContent;
      dialog.querySelector("[data-dialog-close]").disabled = true;
      confirmed = true;
      form.requestSubmit(finalButton);
    });
  }
  var confirmed = false;
  var sent = false;
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (sent) { event.preventDefault(); return; }  /* a second tap while the first is on its way */
    if (!button || button.value !== "submit" || confirmed) { sent = submitting = true; return; }
    event.preventDefault();
    if (dialog && typeof dialog.showModal === "function") {
      confirmSubmit();
    } else if (window.confirm(button.getAttribute("data-confirm"))) {
      confirmed = true;
      form.requestSubmit(finalButton);
    }
  });

  /* -- leaving: the site's links ask first; closing with a save on its way asks too -- */
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || submitting || link.closest("#paper, #attempt-bar, #submit-dialog")) { return; }
    if (link.getAttribute("href").charAt(0) === "#") { return; }
    if (!window.confirm(text("leave"))) { event.preventDefault(); } else { submitting = true; }
  });
  document.addEventListener("submit", function (event) {
    if (event.target === form || submitting) { return; }
    if (!window.confirm(text("leave"))) { event.preventDefault(); } else { submitting = true; }
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (submitting || pending <= 0) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  var clock = document.getElementById("countdown");
  if (clock) {
    var end = Date.now() + 1000 * parseInt(clock.getAttribute("data-remaining"), 10);
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) { submitting = true; window.location.reload(); return; }  /* the server has graded it */
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
