// The chat inside the widget iframe. Protocol: docs/widget-protocol.md.
// Consent first: until the visitor accepts the privacy notice, this page opens no websocket
// and writes no cookie and no storage entry. After a conversation has started, its token is
// kept in this iframe's sessionStorage (the chat lasts for the browser session), or in its
// localStorage when the widget lets returning visitors continue (data-resumable).
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
  var gate = $("consent"), declined = $("declined"), consented = false, page = null, referrer = null, available = false;
  var storeName = body.getAttribute("data-resumable") === "1" ? "localStorage" : "sessionStorage";
  var storeKey = "plauder:" + body.getAttribute("data-widget");

  // Storage may be blocked in third-party frames: then the chat simply lives in memory.
  function stored() { try { return window[storeName].getItem(storeKey); } catch (_) { return null; } }
  function keep(t) { try { window[storeName].setItem(storeKey, t); } catch (_) { /* memory only */ } }
  function forget() { try { window[storeName].removeItem(storeKey); } catch (_) { /* nothing kept */ } }

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
      var hello = { type: "hello", resume: { token: token, after: lastSeq } };
      if (page) hello.page = page;
      if (referrer) hello.referrer = referrer;
      ws.send(frame(hello));
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
        preview = !!m.typing_preview; available = !!m.available;
        // Not resumed: no conversation yet, or it is gone; a resent message starts it anew,
        // under the consent given on this page. A kept token whose conversation is gone
        // carries no consent for a new one: ask again.
        if (m.resumed) started = true; else { started = false; lastSeq = 0; }
        if (!m.resumed && !consented) { forget(); showGate(); break; }
        if (!m.resumed) send({ type: "consent", notice: body.getAttribute("data-notice"), lang: body.getAttribute("data-lang") });
        if (!log.querySelector(".greeting") && m.greeting) bubble("greeting", S("operator"), m.greeting);
        if (started || m.available) showComposer(); else showOffline();
        Object.keys(pending).forEach(function (id) { send({ type: "message", id: id, text: pending[id].text }); });
        break;
      case "started": started = true; keep(token); break;
      case "masked":
        // Stored masked (docs/widget-protocol.md): show it as stored and say why.
        if (pending[m.id]) { pending[m.id].text = m.text; pending[m.id].el.lastChild.textContent = m.text; }
        (m.kinds || []).forEach(function (k) { if (S("masked_" + k)) bubble("notice", "", S("masked_" + k)); });
        break;
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
      case "availability": available = !!m.available; if (!started && !closed && consented) { if (m.available) showComposer(); else showOffline(); } break;
      case "closed":
        forget();
        closed = true; composer.hidden = true; typingLine.hidden = true;
        bubble("notice", "", S("closed"));
        break;
      case "error":
        // The notice changed since this page was loaded: show the current one.
        if (m.code === "stale_notice") { forget(); location.reload(); break; }
        if (m.code === "consent_required") { consented = false; showGate(); break; }
        status(S(m.code) || S("generic"));
        break;
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
  function showGate() {
    gate.hidden = false; declined.hidden = true;
    log.hidden = true; composer.hidden = true; offline.hidden = true; typingLine.hidden = true;
    $("accept").focus();
  }

  function accept() {
    consented = true;
    gate.hidden = true; declined.hidden = true; log.hidden = false;
    if (ws && ws.readyState === 1 && welcomed) {
      send({ type: "consent", notice: body.getAttribute("data-notice"), lang: body.getAttribute("data-lang") });
      if (available) showComposer(); else showOffline();
    } else if (!ws) {
      connect();
    }
  }

  // Declining stores nothing and opens nothing: it only shows other ways to get in touch.
  function decline() {
    gate.hidden = true; declined.hidden = false;
    $("accept-after-all").focus();
  }

  $("accept").addEventListener("click", accept);
  $("accept-after-all").addEventListener("click", accept);
  $("decline").addEventListener("click", decline);

  // The embedding page's address, handed over by the loader only for widgets without
  // privacy mode; kept in memory and sent with hello after consent.
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== window.parent || body.getAttribute("data-capture") !== "1" || !d || d.plauder !== "page") return;
    if (typeof d.url === "string") page = d.url.split(/[?#]/)[0].slice(0, 2048);
    if (typeof d.referrer === "string") referrer = d.referrer.split(/[?#]/)[0].slice(0, 2048);
  });

  // A conversation kept from earlier in this session (or, if resumable, a visit before):
  // consent was given then; continue it.
  var kept = stored();
  if (kept && /^[A-Za-z0-9_-]{22,64}$/.test(kept)) {
    token = kept; gate.hidden = true; log.hidden = false; connect();
  } else {
    gate.hidden = false;
  }
})();
