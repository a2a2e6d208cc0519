/* QS Academy live final: big screen, host console and players' phones.
   With a stream (server-sent events, when the server has Redis) every change is pushed: phones get
   the shared state in the push and fetch their own part a moment later (spread, so a hall of phones
   does not ask at the same instant); the screen refetches its state. Without a stream, or when it
   fails, short polling with ETags (a 304 costs no body). The server's clock drives the countdown.
   Options arrive in the event's order; each phone shows them in its own order (config.orders), but
   every option keeps the screen's letter, so "the answer is D" means one option in the whole hall. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("live-config").textContent);
  var L = config.labels || {};
  var offset = 0;          // server time minus local time, from X-Server-Time
  var current = null;      // the last state received
  var etag = null;
  var timer = null;
  var picks = {};          // multiple choice: positions picked per question, not yet sent
  var typed = {};          // numeric: text typed per question, not yet sent
  var every = 1000;        // polling interval; long while a stream pushes changes
  var stream = null;
  var SPREAD = 1500;       // phones fetch their own state within this many ms of a push

  function $(id) { return document.getElementById(id); }
  function fmt(text, values) { return String(text).replace(/\{(\w+)\}/g, function (_m, k) { return values[k]; }); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "html") { node.innerHTML = attrs[k]; }  // rendered on the server from reviewed bank content
      else if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "on") { node.addEventListener("click", attrs[k]); }
      else if (k === "width") { node.style.width = attrs[k]; }  // through the CSSOM: the policy refuses style attributes
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function letter(i) { return String.fromCharCode(65 + i); }
  var BELL = "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z";
  function icon(path) {  // inline SVG: an emoji may have no glyph on a hall's PC
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg"), p = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("class", "icon"); svg.setAttribute("aria-hidden", "true");
    p.setAttribute("d", path); svg.appendChild(p);
    return svg;
  }
  /* Shrink the stage's type until its content fits the frame: long stems and 200 names are
     scaled down, never cut. A few halvings find the largest scale that fits. */
  function fit(stage) {
    var fits = function () { return stage.scrollHeight <= stage.clientHeight + 1 && stage.scrollWidth <= stage.clientWidth + 1; };
    stage.style.setProperty("--fit", "1");
    if (fits()) { return; }
    var low = 0.2, high = 1;
    for (var n = 0; n < 8; n++) {
      var mid = (low + high) / 2;
      stage.style.setProperty("--fit", String(mid));
      if (fits()) { low = mid; } else { high = mid; }
    }
    stage.style.setProperty("--fit", String(low));
  }

  function poll(url, interval, render) {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" }).then(function (r) {
      var serverTime = Number(r.headers.get("X-Server-Time"));
      if (serverTime) { offset = serverTime - Date.now(); }
      if (r.status === 304) { return null; }
      if (r.status === 409) { return r.json().then(function (body) { stop(body.message); return null; }); }
      if (!r.ok) { throw new Error(r.status); }
      etag = r.headers.get("ETag");
      return r.json();
    }).then(function (state) {
      if ($("net")) { $("net").textContent = ""; }
      if (state && !(current && state.version < current.version)) { current = state; render(state); }
    }).catch(function () {
      if ($("net")) { $("net").textContent = L.network || "…"; }
    }).then(function () {
      if (timer !== false) { timer = setTimeout(function () { poll(url, interval, render); }, interval); }
    });
  }
  function stop(message) {
    timer = false;
    if (stream) { stream.close(); }
    var stage = $("stage");
    if (stage) { stage.replaceChildren(el("p", { "class": "flash flash-error", text: message })); }
  }
  function refresh(render) { if (timer !== false) { clearTimeout(timer); poll(config.state, every, render); } }

  function follow(render, onPush, fallback) {
    if (!config.stream || !window.EventSource) { return; }
    every = 30000;  // a safety net only: a lost push is caught within half a minute
    stream = new EventSource(config.stream);
    stream.onmessage = function (m) { if ($("net")) { $("net").textContent = ""; } onPush(JSON.parse(m.data)); };
    stream.onerror = function () {
      if (stream.readyState === EventSource.CLOSED) { stream = null; every = fallback; refresh(render); }
      else if ($("net")) { $("net").textContent = L.network || "…"; }
    };
  }
  function pushedToScreen(render) {
    var queued = null;  // at most one refetch per 250 ms however many answers arrive
    return function () { if (!queued) { queued = setTimeout(function () { queued = null; refresh(render); }, 250); } };
  }
  function pushedToPhone(shared) {
    if (!current) { return refresh(renderPlayer); }
    if (shared.version <= current.version) { return; }
    var next = Object.assign({}, current, { status: shared.status, stage: shared.stage, title: shared.title,
      version: shared.version, question: shared.question });
    var before = current.question, q = shared.question;
    if (!q || !before || before.id !== q.id) {
      next.you = { answered: false, answer: null, may_answer: !!q && q.kind === "everyone" };
    }
    current = next;
    renderPlayer(next);
    if (!ownPartKnown(q, shared.stage)) { setTimeout(function () { refresh(renderPlayer); }, Math.random() * SPREAD); }
  }
  // While an everyone-round question is shown, open or closed, nothing of the phone's own part
  // changes but what the phone itself sent: skip the fetch, so a hall's answers do not queue
  // behind a hall's fetches.
  function ownPartKnown(q, stage) {
    return !!q && stage === "question" && q.kind === "everyone" && ["shown", "open", "closed"].indexOf(q.state) >= 0;
  }

  function orderOf(q, you) {
    if (you && you.order && you.order.length === (q.options || []).length) { return you.order; }
    return (config.orders || {})[q.id] || null;
  }
  function asShown(q, order) {  // the event's order -> this phone's order
    if (!order || !q.options) { return q; }
    var shown = Object.assign({}, q, { held: order });
    shown.options = order.map(function (i) { return q.options[i]; });
    if (q.key && q.key.correct) {
      shown.key = Object.assign({}, q.key, { correct: order.map(function (i, at) { return q.key.correct.indexOf(i) >= 0 ? at : -1; }).filter(function (at) { return at >= 0; }) });
    }
    if (q.distribution) { shown.distribution = order.map(function (i) { return q.distribution[i]; }); }
    return shown;
  }

  function remaining(q) {
    if (!q || q.state !== "open" || !q.deadline) { return null; }
    return Math.max(0, q.deadline - (Date.now() + offset));
  }
  setInterval(function () {
    var box = $("countdown");
    if (!box || !current) { return; }
    var left = remaining(current.question);
    box.textContent = left === null ? "" : String(Math.ceil(left / 1000));
    box.classList.toggle("urgent", left !== null && left < 5000);
  }, 100);

  function questionView(q, opts) {
    opts = opts || {};
    var head = el("p", { "class": "qhead", text: fmt(L.question, { n: q.position, total: q.total }) + " · " + L["kind_" + q.kind] + (q.team ? " · " + q.team : "") });
    if (!q.stem) { return el("div", {}, [head, el("p", { "class": "big", text: L["state_" + q.state] })]); }
    var key = q.key && q.key.correct ? q.key.correct : [];
    var total = (q.distribution || []).reduce(function (a, b) { return a + b; }, 0) || 1;
    var list = el("ol", { "class": "options" + (opts.wide && (q.options || []).length > 4 ? " two" : "") });
    (q.options || []).forEach(function (html, i) {
      var item = el("li", { "class": key.indexOf(i) >= 0 ? "right" : (q.key ? "dim" : ""), "data-option": q.held ? q.held[i] : i }, [
        el("span", { "class": "letter", text: letter(q.held ? q.held[i] : i) }), el("span", { html: html })]);
      if (q.distribution) {
        var bar = el("span", { "class": "bar" });
        bar.style.width = Math.round(100 * q.distribution[i] / total) + "%";
        item.appendChild(bar);
        item.appendChild(el("span", { "class": "count", text: String(q.distribution[i]) }));
      }
      if (opts.choose) { item.addEventListener("click", function () { opts.choose(i, item); }); item.setAttribute("role", "button"); item.tabIndex = 0; }
      list.appendChild(item);
    });
    if (opts.choose) { list.setAttribute("role", "group"); }  /* its items are buttons, so it is a group of them, not a list */
    var parts = [head, el("div", { "class": "stem", html: q.stem })];
    if (q.qtype !== "numeric") { parts.push(list); }
    if (q.key && q.qtype === "numeric") {
      parts.push(el("p", { "class": "right", text: L.right_answer + ": " + (q.key.low === q.key.high ? q.key.low : q.key.low + " – " + q.key.high) }));
      if (q.distribution) { parts.push(el("p", { text: "✔ " + q.distribution[0] + "   ✘ " + q.distribution[1] })); }
    }
    if (q.in_play && q.in_play.length) { parts.splice(1, 0, el("p", { "class": "in-play", text: L.tiebreak + "：" + q.in_play.join(" · ") })); }
    if (q.fouls && q.fouls.length) { parts.push(el("p", { "class": "fouls", text: L.fouls + "：" + q.fouls.join("、") + (q.foul_points ? "（−" + q.foul_points + "）" : "") })); }
    if (q.buzzers && q.buzzers.length) { parts.push(el("p", { "class": "buzzers" }, [icon(BELL), document.createTextNode(" " + q.buzzers.join(" → ") + (q.turn ? "   " + L.turn + " " + q.turn : ""))])); }
    if (q.explanation) { parts.push(el("p", { "class": "explanation", html: "<strong></strong> " + q.explanation })); parts[parts.length - 1].firstChild.textContent = L.explanation + "："; }
    return el("div", {}, parts);
  }

  function board(state, top) {
    var players = el("ol", { "class": "board" });
    state.board.players.slice(0, top).forEach(function (s) { players.appendChild(el("li", {}, [el("span", { text: s.rank + ". " + s.name }), el("strong", { text: String(s.points) })])); });
    var teams = el("ol", { "class": "board" });
    state.board.teams.slice(0, top).forEach(function (s) { teams.appendChild(el("li", {}, [el("span", { text: s.rank + ". " + s.name }), el("strong", { text: String(s.points) })])); });
    return el("div", { "class": "cols" }, [el("div", {}, [el("h2", { text: L.leaderboard }), players]),
      state.board.teams.length ? el("div", {}, [el("h2", { text: L.teams }), teams]) : null]);
  }

  function podium(state) {
    var top = (state.board.teams.length ? state.board.teams : state.board.players).slice(0, 3);
    return el("div", { "class": "podium" }, top.map(function (s, i) {
      return el("div", { "class": "place p" + (i + 1) }, [el("span", { "class": "name", text: s.name }),
        el("span", { "class": "points", text: s.points + " " + L.points }), el("span", { "class": "step", text: String(s.rank) })]);
    }));
  }

  function renderScreen(state) {
    var stage = $("stage");
    var finished = state.status === "finished";
    document.body.setAttribute("data-status", state.status);
    stage.setAttribute("data-stage", finished ? "finished" : (state.stage === "question" && !state.question ? "lobby" : state.stage));
    $("players").textContent = L.players + " " + state.players + (!finished && state.question && state.question.state !== "pending" ? " · " + L.answered + " " + (state.answered || 0) : "");
    $("progress").textContent = finished ? L.finished_short : state.question ? fmt(L.question, { n: state.question.position, total: state.question.total }) : "";
    drawScreen(stage, state, finished);
    fit(stage);
  }
  function drawScreen(stage, state, finished) {
    if (finished) {
      stage.replaceChildren(el("h1", { text: L.finished_short }),
        el("div", { "class": "finish" }, [podium(state), board(state, 10)]));
      return;
    }
    if (state.stage === "podium") { stage.replaceChildren(el("h1", { text: L.podium }), podium(state)); return; }
    if (state.stage === "leaderboard") { stage.replaceChildren(board(state, 10)); return; }
    if (!state.question) {
      stage.replaceChildren(document.getElementById("lobby").content.cloneNode(true));
      var names = $("names");
      (state.names || []).forEach(function (n) { names.appendChild(el("li", { text: n })); });
      if (state.players > (state.names || []).length) { names.appendChild(el("li", { text: "+" + (state.players - state.names.length) })); }
      $("joined").textContent = L.players + " " + state.players;
      return;
    }
    var view = questionView(state.question, { wide: true });
    if (state.stakes) {
      var stakes = Object.keys(state.stakes).map(function (t) { return t + " " + state.stakes[t]; }).join(" · ");
      view.appendChild(el("p", { "class": "stakes", text: L.stakes + "：" + (stakes || "—") }));
      if (state.stake_turn) { view.appendChild(el("p", { "class": "stake-turn", text: fmt(L.stake_wait, { team: state.stake_turn }) })); }
    }
    stage.replaceChildren(view);
  }

  function send(url, body, then) {
    var token = document.querySelector("meta[name=csrf-token]").content;
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        var box = $("message");
        box.hidden = res.ok;
        if (!res.ok) { box.textContent = res.data.message; box.className = "flash flash-error"; }
        if (then) { then(res); }
        refresh(renderPlayer);
      });
  }

  function renderPlayer(state) {
    var stage = $("stage");
    var me = state.me;
    $("me").textContent = me.name + (me.team ? " · " + me.team : "") + " · " + me.points + " " + L.points;
    var you = state.you || {};
    var order = state.question ? orderOf(state.question, you) : null;
    var q = state.question ? asShown(state.question, order) : null;
    stage.setAttribute("data-state", q ? q.state : state.status);
    stage.setAttribute("data-position", q ? q.position : 0);
    if (state.status === "finished") {
      var team = me.team_result;
      stage.replaceChildren(el("h2", { text: L.finished }),
        team ? el("p", { "class": "big", id: "team-result", text: fmt(L.team_rank, team) }) : null,
        team ? el("p", { "class": "big", text: team.points + " " + L.points }) : null,
        el("p", { "class": team ? "" : "big", text: fmt(L.rank, me) + " · " + me.points + " " + L.points }));
      return;
    }
    if (!q || state.stage !== "question") {
      stage.replaceChildren(el("p", { "class": "big", text: q ? fmt(L.rank, me) + " · " + me.points + " " + L.points : L.waiting }));
      return;
    }
    if (q.state === "staking") {
      var parts = [el("p", { "class": "qhead", text: L["kind_risk"] })];
      if (you.may_stake && you.stake_turn !== false) {
        parts.push(el("p", { "class": "note", text: L.pick_stake }));
        var tiers = el("div", { "class": "stakes-pick" });
        (you.stake_options || []).forEach(function (v) { tiers.appendChild(el("button", { "class": "button big-button", "data-stake": v, text: String(v), "aria-label": L.stake + " " + v, on: function () { send(config.stake, { stake: v }); } })); });
        parts.push(tiers);
      } else if (you.may_stake) {
        parts.push(el("p", { "class": "note", id: "note", text: fmt(L.stake_wait, { team: you.stake_turn_team || "" }) }));
      } else { parts.push(el("p", { text: you.stake ? L.staked + " " + you.stake : L.waiting })); }
      stage.replaceChildren.apply(stage, parts);
      return;
    }
    var open = q.state === "open";
    var canAnswer = open && you.may_answer;
    var chosen = picks[q.id] || (picks[q.id] = []);  // kept across re-renders until sent
    var view = questionView(q, {
      choose: canAnswer && q.qtype !== "multiple" ? function (i) { send(config.answer, { answer: i }); }
        : canAnswer ? function (i, item) { var at = chosen.indexOf(i); if (at >= 0) { chosen.splice(at, 1); } else { chosen.push(i); } item.classList.toggle("picked"); } : null
    });
    if (you.answer !== null && you.answer !== undefined && q.qtype !== "numeric") {
      [].concat(you.answer).forEach(function (i) { var li = view.querySelectorAll(".options li")[order ? order.indexOf(i) : i]; if (li) { li.classList.add("picked"); } });
    }
    if (canAnswer && q.qtype === "multiple") {
      chosen.forEach(function (i) { var li = view.querySelectorAll(".options li")[i]; if (li) { li.classList.add("picked"); } }); view.appendChild(el("button", { "class": "button big-button", id: "send", text: L.send, on: function () { send(config.answer, { answer: chosen.slice().sort() }); } })); }
    if (canAnswer && q.qtype === "numeric") {
      var input = el("input", { type: "text", inputmode: "decimal", id: "numeric", autocomplete: "off" });
      input.value = typed[q.id] || "";
      input.addEventListener("input", function () { typed[q.id] = input.value; });
      view.appendChild(input);
      view.appendChild(el("button", { "class": "button big-button", id: "send", text: L.send, on: function () { send(config.answer, { answer: input.value }); } }));
    }
    if (q.state === "shown" && q.kind === "buzz" && you.early_armed) {
      view.appendChild(el("button", { "class": "button buzz", id: "buzz", "data-early": "1" }, [icon(BELL), document.createTextNode(" " + L.buzz)]));
      view.lastChild.addEventListener("click", function () { send(config.buzz); });
      view.appendChild(el("p", { "class": "note", text: L.wait_start }));
    }
    if (open && q.kind === "buzz" && !you.buzzed && !you.void) { view.appendChild(el("button", { "class": "button buzz", id: "buzz", text: L.buzz, on: function () { send(config.buzz); } })); }
    var note = null;
    if (q.state === "revealed" && you.answered && you.points === undefined) { note = L.received; }  // own result on its way
    else if (q.state === "revealed" && you.answered) {
      note = (you.correct ? L.well_done : L.wrong) + " " + fmt(L.gained, { points: (you.points > 0 ? "+" : "") + you.points }) + (me.rank ? " · " + fmt(L.rank, me) : "");
    }
    else if (q.state === "revealed") { note = L.no_answer; }
    else if (you.answered) { note = L.received; }
    else if (you.team_answered) { note = L.team_answered; }
    else if (q.kind === "buzz" && you.void) { note = L.void; }
    else if (q.kind === "buzz" && you.my_turn) { note = L.your_turn; }
    else if (q.kind === "buzz" && you.buzzed) { note = L.buzzed; }
    else if (q.kind === "team" && !you.may_answer && open) { note = L.other_team; }
    else if (q.state === "closed") { note = L.time_up; }
    if (note) { view.appendChild(el("p", { "class": "note", id: "note", text: note })); }
    if (you.stake) { view.appendChild(el("p", { text: L.staked + " " + you.stake })); }
    stage.replaceChildren(view);
  }

  function host() {
    /* once the host has pressed an action, its answer reloads the page: a reload of our own
       now would race it and could drop the press */
    var pressed = false;
    document.addEventListener("submit", function () { pressed = true; }, true);
    document.addEventListener("keydown", function (e) {  // a button's letter presses it
      if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) { return; }
      var button = document.querySelector("button[data-key='" + e.key.toLowerCase() + "']:not([disabled])");
      if (button && !pressed) { e.preventDefault(); button.form.requestSubmit(button); }
    });
    poll(config.state, 1000, function (state) {
      var typing = document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName) && document.activeElement.value;
      if (state.version !== config.version && !pressed && !typing) { window.location.reload(); return; }
      if ($("players")) { $("players").textContent = state.players; }
      if ($("answered")) { $("answered").textContent = state.answered || 0; }
    });
  }

  window.Live = {
    screen: function () {
      window.addEventListener("resize", function () { fit($("stage")); });
      every = 500; follow(renderScreen, pushedToScreen(renderScreen), 500); poll(config.state, every, renderScreen); },
    player: function () {
      // a stray tap on the bar must not drop a player out of a running final
      document.querySelectorAll(".topbar a").forEach(function (link) {
        link.addEventListener("click", function (e) {
          if (current && current.status !== "finished" && !window.confirm(L.leave)) { e.preventDefault(); }
        });
      });
      follow(renderPlayer, pushedToPhone, 1000); poll(config.state, every, renderPlayer); },
    host: host
  };
  /* the page names its role on its configuration block: no inline script starts it */
  var start = document.getElementById("live-config");
  if (start && start.dataset.start && window.Live[start.dataset.start]) { window.Live[start.dataset.start](); }
}());
