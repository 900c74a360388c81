// The chat inside the widget iframe. Stores nothing in the browser: the conversation token
// lives in this page's memory only. Protocol: docs/widget-protocol.md.
// The token is made here, before the first message, so that a first message resent after
// a dropped connection finds the conversation it started instead of opening a second one.
(function () {
  "use strict";
  var body = document.body;
  var S = function (key) { return body.getAttribute("data-s-" + key) || ""; };
  var $ = function (id) { return document.getElementById(id); };
  var log = $("log"), text = $("text"), composer = $("composer"), offline = $("offline");
  var statusLine = $("status"), typingLine = $("typing");
  var ws = null, token = newToken(), started = false, lastSeq = 0, attempt = 0, welcomed = false, closed = false;
  var pending = {}, rendered = {}, typingActive = false, typingTimer = null, previewTimer = null, preview = false;

  // 32 random bytes, base64url: the server accepts 22-64 such characters.
  function newToken() {
    var a = new Uint8Array(32); crypto.getRandomValues(a);
    return btoa(String.fromCharCode.apply(null, a)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function frame(obj) { obj.v = 1; return JSON.stringify(obj); }
  function send(obj) { if (ws && ws.readyState === 1 && welcomed) { ws.send(frame(obj)); return true; } return false; }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function status(message) { statusLine.textContent = message || ""; statusLine.hidden = !message; }
  function scroll() { log.scrollTop = log.scrollHeight; }

  function bubble(cls, who, content) {
    var li = document.createElement("li");
    li.className = cls;
    if (who) { var w = document.createElement("span"); w.className = "who"; w.textContent = who; li.appendChild(w); }
    li.appendChild(document.createTextNode(content));
    log.appendChild(li); scroll();
    return li;
  }

  function showComposer() { offline.hidden = true; composer.hidden = closed; log.hidden = false; }
  function showOffline() { composer.hidden = true; offline.hidden = false; log.hidden = true; }

  function connect() {
    var url = "wss://" + location.host + "/widget/ws?w=" + encodeURIComponent(body.getAttribute("data-widget"));
    ws = new WebSocket(url);
    welcomed = false;
    ws.onopen = function () {
      ws.send(frame({ type: "hello", resume: { token: token, after: lastSeq } }));
    };
    ws.onmessage = function (e) { var m; try { m = JSON.parse(e.data); } catch (_) { return; } handle(m); };
    ws.onclose = function () {
      welcomed = false;
      if (closed) return;
      status(S("reconnecting"));
      var delay = Math.min(15000, 500 * Math.pow(2, attempt++)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  function handle(m) {
    switch (m.type) {
      case "welcome":
        welcomed = true; attempt = 0; status("");
        preview = !!m.typing_preview;
        // Not resumed: no conversation yet, or it is gone; a resent message starts it anew.
        if (m.resumed) started = true; else { started = false; lastSeq = 0; }
        if (!log.querySelector(".greeting") && m.greeting) bubble("greeting", S("operator"), m.greeting);
        if (started || m.available) showComposer(); else showOffline();
        Object.keys(pending).forEach(function (id) { send({ type: "message", id: id, text: pending[id].text }); });
        break;
      case "started": started = true; break;
      case "ack":
        if (pending[m.id]) { pending[m.id].el.classList.remove("pending"); rendered[m.id] = true; delete pending[m.id]; }
        if (m.id === offline.getAttribute("data-id")) { offline.hidden = true; log.hidden = false; bubble("notice", "", S("thanks")); closed = true; }
        // An ack does not move lastSeq: an operator reply with a lower seq may still be on
        // its way, and resuming after the ack would skip it. Own messages that come again
        // on resume are recognised by their id.
        break;
      case "message":
        lastSeq = Math.max(lastSeq, m.seq);
        if (m.id && (rendered[m.id] || pending[m.id])) break;
        if (m.id) rendered[m.id] = true;
        bubble(m.from === "visitor" ? "visitor" : "operator", m.from === "visitor" ? S("you") : S("operator"), m.text);
        typingLine.hidden = true;
        break;
      case "typing": typingLine.hidden = !m.active; break;
      case "availability": if (!started && !closed) { if (m.available) showComposer(); else showOffline(); } break;
      case "closed":
        closed = true; composer.hidden = true; typingLine.hidden = true;
        bubble("notice", "", S("closed"));
        break;
      case "error": status(S(m.code) || S("generic")); break;
    }
  }

  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    var id = newId();
    pending[id] = { text: value, el: bubble("visitor pending", S("you"), value) };
    text.value = "";
    stopTyping();
    if (!send({ type: "message", id: id, text: value })) status(S("failed"));
    text.focus();
  });

  text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); }
  });

  function stopTyping() {
    if (typingActive) send({ type: "typing", active: false });
    typingActive = false; clearTimeout(typingTimer);
  }

  text.addEventListener("input", function () {
    if (!started) return; // nobody sees typing before the conversation exists
    if (!typingActive) { typingActive = true; send({ type: "typing", active: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
    if (preview && !previewTimer) {
      previewTimer = setTimeout(function () {
        previewTimer = null;
        if (typingActive) send({ type: "typing", active: true, text: text.value.slice(0, 4000) });
      }, 300);
    }
  });

  offline.addEventListener("submit", function (e) {
    e.preventDefault();
    var message = $("off-text").value.trim();
    if (!message) { $("off-text").focus(); return; }
    var id = newId();
    offline.setAttribute("data-id", id);
    var f = { type: "offline", id: id, text: message };
    var name = $("off-name").value.trim(), email = $("off-email").value.trim();
    if (name) f.name = name;
    if (email) f.email = email;
    if (!send(f)) status(S("failed"));
  });

  $("close").addEventListener("click", function () { window.parent.postMessage("plauder:close", "*"); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") window.parent.postMessage("plauder:close", "*"); });
  connect();
})();
