// The setup forms of online rounds and live finals: add and remove rows (draw rules, awards, the
// running order), preview what a draw rule gives, pick a final's questions from the banks.
// Without the script the server renders a few empty rows, which is enough for a small round.
(function () {
  "use strict";
  var form = document.querySelector("form[data-setup]");
  if (!form) { return; }
  var live = form.hasAttribute("data-live");
  var previewUrl = form.getAttribute("data-preview-url");

  function renumber(row, index) {
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/^(draw|awards|rounds)-\d+-/, "$1-" + index + "-")); }
      });
    });
  }

  // a new question of a final keeps the round type and seconds of the one above: runs of the same round are usual
  var kept = "[name$='-seconds'], [name$='-kind']";

  function clear(row) {
    row.querySelectorAll("input[type=number], input[type=text], input:not([type])").forEach(function (el) {
      if (!el.matches(kept)) { el.value = ""; }
    });
    row.querySelectorAll("input[type=checkbox]").forEach(function (el) { el.checked = false; });
    row.querySelectorAll("select").forEach(function (el) { if (!el.matches(kept)) { el.selectedIndex = 0; } });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    row.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var preview = row.querySelector(".preview");
    if (preview) { preview.hidden = true; preview.textContent = ""; }
    var available = row.querySelector(".available");
    if (available) { available.textContent = ""; }
  }

  function nextIndex(rows) {
    var top = -1;
    rows.querySelectorAll("[data-row] [name]").forEach(function (el) {
      var m = /^(?:draw|awards|rounds)-(\d+)-/.exec(el.getAttribute("name"));
      if (m) { top = Math.max(top, parseInt(m[1], 10)); }
    });
    return top + 1;
  }

  function query(row) {
    var params = new URLSearchParams();
    params.set("part", "list");
    var bank = row.querySelector("select[name$='-bank']");
    params.set("bank", bank ? bank.value : "");
    row.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      params.append(/-types$/.test(box.name) ? "types" : "difficulty", box.value);
    });
    return previewUrl + "?" + params.toString();
  }

  function refresh(row, show) {
    var bank = row.querySelector("select[name$='-bank']");
    var available = row.querySelector(".available");
    var button = row.querySelector("[data-preview]");
    if (!bank || !bank.value) {
      if (available) { available.textContent = ""; }
      if (button) { button.hidden = true; }
      return;
    }
    if (button) { button.hidden = false; }
    var preview = row.querySelector(".preview");
    fetch(query(row), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      if (!html) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var picked = holder.querySelector(".picked");
      if (available && picked) {
        available.textContent = form.getAttribute("data-available").replace("{n}", picked.getAttribute("data-total"));
      }
      if (show || (preview && !preview.hidden)) {
        preview.innerHTML = html;
        preview.hidden = false;
        if (button) { button.textContent = form.getAttribute("data-hide-preview"); }
      }
    });
  }

  function blank(row) {
    var filled = false;
    row.querySelectorAll("input[type=number], input[type=text], input:not([type])").forEach(function (el) {
      if (el.value.trim() && !el.matches(kept)) { filled = true; }
    });
    row.querySelectorAll("input[type=checkbox]").forEach(function (el) { if (el.checked) { filled = true; } });
    var bank = row.querySelector("select[name$='-bank']");
    if (bank && bank.value) { filled = true; }
    return !filled && !row.querySelector(".error");
  }

  function loadPicks(panel) {
    var params = new URLSearchParams({ part: "list", pick: "1", live: "1" });
    panel.querySelectorAll("[data-filter]").forEach(function (select) {
      if (select.value) { params.append(select.getAttribute("data-filter"), select.value); }
    });
    var list = panel.querySelector(".picker-list");
    fetch(previewUrl + "?" + params.toString(), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html) { list.innerHTML = html; } });
  }

  function label(el, text) {
    if (el.tagName === "INPUT") { el.value = text; } else { el.textContent = text; }
  }

  function openPicker(row, button) {
    var panel = row.querySelector(".preview");
    if (!panel.hidden) {
      panel.hidden = true;
      label(button, form.getAttribute("data-show-preview"));
      return;
    }
    if (!panel.querySelector(".picker-list")) {
      panel.appendChild(document.getElementById("picker-bar").content.cloneNode(true));
      panel.addEventListener("change", function () { loadPicks(panel); });
    }
    panel.hidden = false;
    label(button, form.getAttribute("data-hide-preview"));
    loadPicks(panel);
  }

  form.querySelectorAll("[data-rows]").forEach(function (rows) {
    var part = rows.parentNode;
    // the server sends spare rows for browsers without the script; here one empty row is enough
    var spare = false;
    rows.querySelectorAll("[data-row]").forEach(function (row) {
      if (blank(row)) {
        if (spare) { row.remove(); } else { spare = true; }
      }
    });
    var add = part.querySelector("[data-add]");
    var max = parseInt(rows.getAttribute("data-max"), 10) || 20;
    function sync() {
      var count = rows.querySelectorAll("[data-row]").length;
      rows.querySelectorAll("[data-remove]").forEach(function (b) { b.hidden = false; });
      if (add) { add.hidden = count >= max; }
    }
    if (add) {
      add.addEventListener("click", function () {
        var last = rows.querySelector("[data-row]:last-of-type");
        var row = last.cloneNode(true);
        clear(row);
        renumber(row, nextIndex(rows));
        rows.appendChild(row);
        sync();
        var first = row.querySelector("select, input");
        if (first) { first.focus(); }
      });
    }
    rows.addEventListener("click", function (event) {
      var target = event.target.closest("button, input[type=button]");
      if (!target) { return; }
      var row = target.closest("[data-row]");
      if (target.hasAttribute("data-remove")) {
        if (rows.querySelectorAll("[data-row]").length > 1) { row.remove(); } else { clear(row); }
        sync();
      } else if (target.hasAttribute("data-pick")) {
        row.querySelector("input[name$='-question']").value = target.getAttribute("data-pick");
        row.querySelector(".picked-stem").textContent = target.getAttribute("data-stem");
        var toggle = row.querySelector("[data-preview]");
        row.querySelector(".preview").hidden = true;
        label(toggle, form.getAttribute("data-show-preview"));
        toggle.focus();
      } else if (live && target.hasAttribute("data-preview")) {
        openPicker(row, target);
      } else if (target.hasAttribute("data-preview")) {
        var preview = row.querySelector(".preview");
        if (!preview.hidden) {
          preview.hidden = true;
          target.textContent = form.getAttribute("data-show-preview");
        } else {
          refresh(row, true);
        }
      }
    });
    rows.addEventListener("change", function (event) {
      var row = event.target.closest(".draw-row");
      if (row) { refresh(row, false); }
    });
    rows.querySelectorAll(".draw-row").forEach(function (row) { refresh(row, false); });
    rows.querySelectorAll(".live-row [data-preview]").forEach(function (b) { b.hidden = false; });
    sync();
  });
}());
