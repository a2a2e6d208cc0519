/* People import with progress: the file is sent with XMLHttpRequest (upload bytes), then the
   server streams one JSON line every few hundred rows checked or applied, and the preview or
   the outcome last. Without JavaScript the forms post as plain pages. */
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  var box = document.getElementById("import-progress");
  var result = document.getElementById("import-result");
  if (!form || !box || !result || !window.XMLHttpRequest || !window.FormData) { return; }
  var stage = box.querySelector(".import-stage");
  var bar = box.querySelector(".progress span");

  function say(template, values, share) {
    stage.textContent = template.replace(/\{(\w)\}/g, function (_, key) { return values[key]; });
    bar.style.width = Math.round(100 * Math.min(1, share)) + "%";
  }

  function flash(text, category) {
    var p = document.createElement("p");
    p.className = "flash flash-" + (category || "error");
    p.textContent = text;
    result.replaceChildren(p);
  }

  function handle(data) {
    /* True once the outcome has arrived: the preview, a message or an error. */
    if (data.stage) {
      var template = form.getAttribute(data.stage === "apply" ? "data-applying" : "data-checking");
      say(template, {d: data.done, t: data.total}, data.total ? data.done / data.total : 1);
      return false;
    }
    if (data.html !== undefined) {
      result.innerHTML = data.html;  // the server's own preview template, escaped there
      watchApply();
    } else {
      flash(data.message || data.error, data.message ? data.category : "error");
    }
    return true;
  }

  function send(url, body, button) {
    var xhr = new XMLHttpRequest();
    var seen = 0;
    var finished = false;
    var token = form.querySelector("input[name=csrf_token]");
    function read(final) {
      var text = xhr.responseText;
      var end = final ? text.length : text.lastIndexOf("\n") + 1;
      text.slice(seen, end).split("\n").forEach(function (line) {
        if (line.trim()) {
          try { finished = handle(JSON.parse(line)) || finished; } catch (e) { /* not ours: an error page */ }
        }
      });
      seen = Math.max(seen, end);
    }
    box.hidden = false;
    box.scrollIntoView({block: "nearest"});  // the apply button sits below a long preview
    button.disabled = true;
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", token ? token.value : "");
    xhr.setRequestHeader("Accept", "application/x-ndjson");
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        var share = event.loaded / event.total;
        say(form.getAttribute("data-uploading"), {p: Math.round(100 * share)}, share);
      }
    };
    xhr.onprogress = function () { read(false); };
    xhr.onload = function () {
      read(true);
      button.disabled = false;
      if (!finished) { flash(form.getAttribute("data-failed")); }  // cut short: the server rolled back
    };
    xhr.onerror = function () { button.disabled = false; flash(form.getAttribute("data-failed")); };
    xhr.send(body);
  }

  function watchApply() {
    var apply = document.getElementById("import-apply");
    if (!apply) { return; }
    apply.addEventListener("submit", function (event) {
      event.preventDefault();
      send(apply.getAttribute("data-run-url"), new FormData(apply), apply.querySelector("button"));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    result.replaceChildren();
    send(form.getAttribute("data-check-url"), new FormData(form), form.querySelector("button"));
  });
  watchApply();
})();
