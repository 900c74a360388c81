// Operator console: live queue, conversations, replies, notes, canned responses.
// Talks only to this server (/console/ws); stores nothing in the browser.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var S = function (k) { return root.getAttribute("data-s-" + k) || ""; };
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, me = null, current = null, attempt = 0, known = {}, queue = [], operators = [], canned = [];
  var typingTimer = null, typingOn = false, firstQueue = true;
  // Reasons typed this page session, per conversation: a reconnect opens it again with it.
  var reasons = {}, needReason = false;

  function frame(o) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(o)); return true; } return false; }
  function newId() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  function fmt(at) { var d = new Date(at); return isNaN(d) ? "" : d.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" }); }
  function conn(msg) { $("conn").textContent = msg || ""; $("conn").hidden = !msg; }
  function err(msg) { $("c-error").textContent = msg || ""; $("c-error").hidden = !msg; }

  // Browsers refuse sound before the page got a user gesture (autoplay policy) and warn
  // about every audio context made earlier. So the one context is made on the operator's
  // first click or key press; chats that arrive before that are announced silently.
  var audio = null;
  function unlockAudio() {
    document.removeEventListener("pointerdown", unlockAudio, true);
    document.removeEventListener("keydown", unlockAudio, true);
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC || audio) return;
    try { audio = new AC(); if (audio.state === "suspended") audio.resume(); } catch (_) { audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio, true);
  document.addEventListener("keydown", unlockAudio, true);

  function beep() {
    if (!audio || audio.state !== "running") return;
    try {
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; g.gain.value = 0.08; o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.18);
    } catch (_) {}
  }

  function announce(entry) {
    beep();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification(S("new_chat"), { body: entry.widget, tag: "plauder-" + entry.id }); } catch (_) {}
    }
  }

  function connect() {
    ws = new WebSocket("wss://" + location.host + "/console/ws");
    ws.onopen = function () { attempt = 0; conn(""); frame({ type: "availability", status: $("availability").value }); if (current) frame({ type: "open", conversation: current, reason: reasons[current] }); };
    ws.onmessage = function (e) { var m; try { m = JSON.parse(e.data); } catch (_) { return; } handle(m); };
    ws.onclose = function (e) {
      if (e.code === 1008) { location.href = "/login"; return; }
      conn(S("reconnecting"));
      setTimeout(connect, Math.min(15000, 500 * Math.pow(2, attempt++)));
    };
  }

  function handle(m) {
    switch (m.type) {
      case "hello": me = m.me; break;
      case "queue": renderQueue(m.conversations); break;
      case "queue_changed": mergeQueue(m); break;
      case "reason_needed": if (m.conversation === current) askReason(m.invalid); break;
      case "operators": operators = m.operators; renderTransfer(); break;
      case "transcript": if (m.conversation === current) renderTranscript(m); break;
      case "contact": if (m.conversation === current) renderContact(m); break;
      case "erased": if (m.conversation === current) renderErased(); break;
      // Role or teams changed: forget the conversation like an erased one, say why.
      case "revoked": if (m.conversation === current) { renderErased(); $("c-meta").textContent = S("revoked"); } break;
      case "message": if (m.conversation === current) addLine(m.line); break;
      case "typing": if (m.conversation === current && m.visitor) { $("v-typing").hidden = !m.active; if (!m.active) $("v-preview").hidden = true; } break;
      case "preview":
        if (m.conversation === current) { $("v-preview").textContent = S("preview") + ": " + m.text; $("v-preview").hidden = !m.text; }
        break;
      case "ack":
        var p = document.querySelector('[data-id="' + m.id + '"]');
        // A masked reply shows as stored: the text node after the "who" line.
        if (p) { p.classList.remove("pending"); if (m.masked) p.lastChild.textContent = m.masked; }
        break;
      case "error": err(m.message); break;
    }
  }

  function item(entry) {
    var li = document.createElement("li");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "q-item" + (entry.id === current ? " current" : "");
    b.setAttribute("data-conversation", entry.id);
    var title = document.createElement("strong"); title.textContent = entry.widget;
    var meta = document.createElement("span");
    meta.textContent = S("status_" + entry.status) + " · " + fmt(entry.updated_at) + (entry.operator_name && entry.operator !== me ? " · " + S("with") + " " + entry.operator_name : "");
    b.appendChild(title); b.appendChild(meta);
    b.addEventListener("click", function () { open(entry.id); });
    li.appendChild(b);
    return li;
  }

  function fill(id, list) {
    var ul = $(id); ul.textContent = "";
    if (!list.length) { var li = document.createElement("li"); li.className = "q-empty"; li.textContent = S("empty"); ul.appendChild(li); return; }
    list.forEach(function (e) { ul.appendChild(item(e)); });
  }

  function renderQueue(list) {
    list.forEach(function (e) { if (e.status === "waiting" && !known[e.id] && !firstQueue) announce(e); known[e.id] = true; });
    firstQueue = false;
    queue = list;
    fill("q-waiting", list.filter(function (e) { return e.status === "waiting"; }));
    fill("q-mine", list.filter(function (e) { return e.status === "active" && e.operator === me; }));
    fill("q-others", list.filter(function (e) { return e.status === "active" && e.operator !== me; }));
    fill("q-offline", list.filter(function (e) { return e.status === "offline"; }));
    var waiting = list.filter(function (e) { return e.status === "waiting"; }).length;
    document.title = (waiting ? "(" + waiting + ") " : "") + document.title.replace(/^\(\d+\) /, "");
    if (current) updateHead(list.filter(function (e) { return e.id === current; })[0]);
  }

  // Only what changed since the last list: replace or add those entries, drop the removed.
  function mergeQueue(m) {
    var replaced = {};
    m.removed.forEach(function (id) { replaced[id] = true; });
    m.conversations.forEach(function (e) { replaced[e.id] = true; });
    var list = queue.filter(function (e) { return !replaced[e.id]; }).concat(m.conversations);
    list.sort(function (a, b) { return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0; });
    renderQueue(list);
  }

  function updateHead(entry) {
    var status = entry ? entry.status : "closed";
    $("c-meta").setAttribute("data-status", status);
    $("take").hidden = status !== "waiting";
    var mine = entry && entry.status === "active" && entry.operator === me;
    $("transfer").hidden = $("transfer-to").hidden = !mine || !$("transfer-to").options.length;
    $("close-chat").hidden = status === "closed";
    $("reply").hidden = status === "closed" || needReason;
    var contact = $("c-meta").getAttribute("data-contact") || "";
    $("c-meta").textContent = $("c-meta").hasAttribute("data-erased") ? S("erased") : S("status_" + status) + (contact ? " · " + contact : "");
  }

  function renderTransfer() {
    var sel = $("transfer-to"); sel.textContent = "";
    operators.filter(function (o) { return o.id !== me && o.availability === "online"; }).forEach(function (o) {
      var opt = document.createElement("option"); opt.value = o.id; opt.textContent = o.name; sel.appendChild(opt);
    });
    if (current) updateHead(queue.filter(function (e) { return e.id === current; })[0]);
  }

  function open(id) {
    current = id; err("");
    $("empty").hidden = true; $("detail").hidden = false;
    $("lines").textContent = ""; $("v-typing").hidden = true; $("v-preview").hidden = true;
    $("c-details").href = "/console/conversations/" + encodeURIComponent(id);
    $("c-meta").removeAttribute("data-erased"); $("c-earlier").hidden = true;
    showReason(false, false);
    frame({ type: "open", conversation: id, reason: reasons[id] });
    renderQueue(queue);
  }

  // The contact line and, with identity recognition, the contact's earlier conversations.
  function renderContact(t) {
    var contact = [t.name, t.email].filter(Boolean).join(" · ") || S("no_contact");
    $("c-meta").setAttribute("data-contact", contact);
    var list = $("c-earlier-list"); list.textContent = "";
    (t.earlier || []).forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "/console/conversations/" + encodeURIComponent(e.id); a.target = "_blank"; a.rel = "noopener";
      var d = new Date(e.started);
      a.textContent = isNaN(d) ? e.started : d.toLocaleString(document.documentElement.lang || [], { dateStyle: "medium", timeStyle: "short" });
      li.appendChild(a); li.appendChild(document.createTextNode(" · " + e.widget + " · " + S("status_" + e.status)));
      list.appendChild(li);
    });
    $("c-earlier").hidden = !list.children.length;
    updateHead(queue.filter(function (e) { return e.id === t.conversation; })[0]);
  }

  // The visitor erased the conversation: nothing of it stays on this screen.
  function renderErased() {
    $("lines").textContent = ""; $("c-earlier").hidden = true; $("v-typing").hidden = true; $("v-preview").hidden = true;
    $("c-meta").setAttribute("data-contact", "");
    $("c-meta").setAttribute("data-erased", "1");
    $("c-details").hidden = true;
    updateHead(undefined);
  }

  // The role demands a reason before this conversation opens: nothing of it is shown yet.
  function showReason(shown, invalid) {
    needReason = shown;
    $("reason-form").hidden = !shown; $("lines").hidden = shown;
    $("reason-error").hidden = !invalid;
    $("reason-text").setAttribute("aria-invalid", invalid ? "true" : "false");
  }

  function askReason(invalid) {
    if (invalid) delete reasons[current];
    $("c-title").textContent = ""; $("c-details").hidden = true;
    showReason(true, invalid);
    updateHead(queue.filter(function (e) { return e.id === current; })[0]);
    $("reason-text").focus();
  }

  $("reason-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var reason = $("reason-text").value.trim();
    if (!reason) { askReason(true); return; }
    reasons[current] = reason;
    frame({ type: "open", conversation: current, reason: reason });
  });

  function renderTranscript(t) {
    showReason(false, false);
    $("c-title").textContent = t.widget;
    $("c-details").hidden = false;
    renderContact(t);
    $("lines").textContent = "";
    t.lines.forEach(addLine);
    updateHead(queue.filter(function (e) { return e.id === t.conversation; })[0]);
    $("reply-text").focus();
  }

  function addLine(l) {
    if (l.id && document.querySelector('[data-id="' + l.id + '"]')) return;
    var li = document.createElement("li");
    li.className = l.from;
    if (l.id) li.setAttribute("data-id", l.id);
    var who = document.createElement("span"); who.className = "who";
    who.textContent = (l.from === "visitor" ? S("visitor") : l.from === "note" ? S("note") : (l.staff === me ? S("you") : "Operator")) + " · " + fmt(l.at);
    li.appendChild(who); li.appendChild(document.createTextNode(l.text));
    $("lines").appendChild(li);
    $("lines").scrollTop = $("lines").scrollHeight;
  }

  $("reply").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("reply-text").value.trim();
    if (!text || !current) return;
    var note = $("as-note").checked, id = newId();
    addLine({ id: id, from: note ? "note" : "operator", staff: me, text: text, at: new Date().toISOString() });
    var el = document.querySelector('[data-id="' + id + '"]'); if (el) el.classList.add("pending");
    frame({ type: "send", conversation: current, id: id, text: text, note: note });
    $("reply-text").value = ""; hideCanned(); stopTyping();
  });

  function stopTyping() { if (typingOn && current) frame({ type: "typing", conversation: current, active: false }); typingOn = false; clearTimeout(typingTimer); }

  $("reply-text").addEventListener("input", function () {
    var v = this.value;
    if (v.charAt(0) === "/") showCanned(v.slice(1).toLowerCase()); else hideCanned();
    if ($("as-note").checked || !current) return;
    if (!typingOn) { typingOn = true; frame({ type: "typing", conversation: current, active: true }); }
    clearTimeout(typingTimer); typingTimer = setTimeout(stopTyping, 3000);
  });

  $("reply-text").addEventListener("keydown", function (e) {
    var list = $("canned");
    if (!list.hidden && (e.key === "Tab" || e.key === "Enter")) {
      var first = list.querySelector('[aria-selected="true"]') || list.firstChild;
      if (first) { e.preventDefault(); insertCanned(first.getAttribute("data-body")); return; }
    }
    if (!list.hidden && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      var items = Array.prototype.slice.call(list.children), i = items.findIndex(function (x) { return x.getAttribute("aria-selected") === "true"; });
      i = (i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach(function (x, j) { x.setAttribute("aria-selected", j === i ? "true" : "false"); });
      this.setAttribute("aria-activedescendant", items[i].id);
      return;
    }
    if (e.key === "Escape") hideCanned();
    if (e.key === "Enter" && !e.shiftKey && list.hidden) { e.preventDefault(); $("reply").requestSubmit(); }
  });

  function showCanned(prefix) {
    var list = $("canned"); list.textContent = "";
    canned.filter(function (c) { return c.shortcut.indexOf(prefix) === 0; }).slice(0, 8).forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = "canned-" + i;
      li.setAttribute("role", "option"); li.setAttribute("aria-selected", i === 0 ? "true" : "false");
      li.setAttribute("data-body", c.body);
      var k = document.createElement("strong"); k.textContent = "/" + c.shortcut + " ";
      li.appendChild(k); li.appendChild(document.createTextNode(c.body.slice(0, 80)));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); insertCanned(c.body); });
      list.appendChild(li);
    });
    list.hidden = !list.children.length;
    // Screen readers follow the highlighted snippet while focus stays in the reply box.
    $("reply-text").setAttribute("aria-expanded", list.hidden ? "false" : "true");
    if (list.hidden) $("reply-text").removeAttribute("aria-activedescendant");
    else $("reply-text").setAttribute("aria-activedescendant", "canned-0");
  }
  function hideCanned() {
    $("canned").hidden = true;
    $("reply-text").setAttribute("aria-expanded", "false");
    $("reply-text").removeAttribute("aria-activedescendant");
  }
  function insertCanned(body) { $("reply-text").value = body; hideCanned(); $("reply-text").focus(); }

  $("take").addEventListener("click", function () { if (current) frame({ type: "take", conversation: current }); });
  $("close-chat").addEventListener("click", function () { if (current) frame({ type: "close", conversation: current }); });
  $("transfer").addEventListener("click", function () { var to = $("transfer-to").value; if (current && to) frame({ type: "transfer", conversation: current, to: to }); });
  $("availability").addEventListener("change", function () { frame({ type: "availability", status: this.value }); });
  $("notify").addEventListener("click", function () {
    if (window.Notification) Notification.requestPermission().then(function (p) { $("notify").hidden = p === "granted"; });
  });
  if (!window.Notification || Notification.permission === "granted") $("notify").hidden = true;

  fetch("/console/canned.json", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : []; }).then(function (l) { canned = l; }).catch(function () {});
  connect();
})();
