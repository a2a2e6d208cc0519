/* Certification exams: report each departure from the page (tab hidden, window left) and its length.
   The counter survives a reload of the tab, so the server stores each departure once. Never blocks. */
(function () {
  "use strict";
  var box = document.querySelector("[data-away-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-away-url");
  var token = document.querySelector("#paper input[name=csrf_token]");
  var key = "away:" + url;
  var stored = 0;
  try { stored = parseInt(window.sessionStorage.getItem(key) || "0", 10) || 0; } catch (e) { stored = 0; }
  var seq = Math.max(parseInt(box.getAttribute("data-away-next"), 10) || 0, stored);
  var away = null;

  function send(fields) {
    fetch(url, {
      method: "POST", body: new URLSearchParams(fields), credentials: "same-origin", keepalive: true,
      headers: {"X-CSRFToken": token ? token.value : "", "Accept": "application/json"}
    }).catch(function () { /* a lost report never disturbs the exam */ });
  }

  function leave(kind) {
    if (away) { return; }
    away = {seq: seq, kind: kind, since: Date.now()};
    seq += 1;
    try { window.sessionStorage.setItem(key, String(seq)); } catch (e) { /* private mode */ }
    send({seq: away.seq, kind: kind});
  }

  function back() {
    if (!away) { return; }
    var left = away;
    away = null;
    send({seq: left.seq, kind: left.kind, away_seconds: Math.round((Date.now() - left.since) / 1000)});
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { leave("hidden"); } else { back(); }
  });
  window.addEventListener("blur", function () { leave("blur"); });
  window.addEventListener("focus", back);
}());
