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
  var panel = $("mydata"), panelOpen = false, confirmAction = null, identify = $("identify");

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

  function bubble(cls, who, content, avatar) {
    var li = document.createElement("li");
    li.className = cls;
    if (who) {
      var w = document.createElement("span"); w.className = "who";
      // Only plauder's own avatar pictures (docs/widget-protocol.md), never another address.
      if (avatar && /^\/widget\/avatar\/[a-z0-9\/]+\.(svg|png)$/.test(avatar)) { var img = document.createElement("img"); img.className = "avatar"; img.alt = ""; img.src = avatar; w.appendChild(img); }
      w.appendChild(document.createTextNode(who)); li.appendChild(w);
    }
    li.appendChild(document.createTextNode(content));
    log.appendChild(li); scroll();
    return li;
  }

  // "Your data" is offered from consent on; the name and e-mail fields once a chat runs.
  function showComposer() { if (panelOpen) return; offline.hidden = true; composer.hidden = closed; log.hidden = false; $("mydata-open").hidden = false; identify.hidden = !started || closed; }
  function showOffline() { if (panelOpen) return; composer.hidden = true; offline.hidden = false; log.hidden = true; $("mydata-open").hidden = false; identify.hidden = true; }

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
      case "started": started = true; keep(token); identify.hidden = closed || panelOpen; break;
      case "identified": identify.open = false; identify.hidden = true; bubble("notice", "", S("identify_saved")); break;
      case "data": renderData(m); break;
      case "erased": ended(S("self_deleted")); break;
      case "withdrawn": ended(S("self_withdrawn")); break;
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
        var op = m.operator || {};
        if (m.from === "visitor") bubble("visitor", S("you"), m.text);
        else bubble("operator", op.name || S("operator"), m.text, op.avatar);
        typingLine.hidden = true;
        break;
      case "typing": typingLine.hidden = !m.active; break;
      case "availability": available = !!m.available; if (!started && !closed && consented) { if (m.available) showComposer(); else showOffline(); } break;
      case "closed":
        forget();
        closed = true; composer.hidden = true; typingLine.hidden = true; identify.hidden = true;
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

  $("identify-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = { type: "identify" }, name = $("id-name").value.trim(), email = $("id-email").value.trim();
    if (name) f.name = name;
    if (email) f.email = email;
    if (!name && !email) { $("id-name").focus(); return; }
    if (!send(f)) status(S("failed"));
  });

  // Your data (docs/widget-protocol.md, self-service): shown, downloaded, deleted or
  // consent withdrawn over this socket only; each destructive step is confirmed first.
  function field(dl, label, value) {
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label; dd.textContent = value == null || value === "" ? S("self_none") : value;
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function when(at) {
    var d = new Date(at);
    return isNaN(d) ? at : d.toLocaleString(body.getAttribute("data-lang") || [], { dateStyle: "medium", timeStyle: "short" });
  }
  function language(code) {
    try { return new Intl.DisplayNames([body.getAttribute("data-lang") || code], { type: "language" }).of(code) + " (" + code + ")"; } catch (_) { return code; }
  }
  function heading(box, text) { var h = document.createElement("h3"); h.textContent = text; box.appendChild(h); }

  function renderData(m) {
    var box = $("md-body"), d = m.data; box.textContent = "";
    $("md-json").hidden = !m.json_url; $("md-html").hidden = !m.html_url;
    if (m.json_url) $("md-json").href = m.json_url;
    if (m.html_url) $("md-html").href = m.html_url;
    if (!d) { var p = document.createElement("p"); p.textContent = S("self_nothing"); box.appendChild(p); return; }
    var dl = document.createElement("dl");
    field(dl, S("self_name"), d.name); field(dl, S("self_email"), d.email);
    field(dl, S("self_started"), when(d.started_at)); field(dl, S("self_messages"), String(d.messages.length));
    d.consents.forEach(function (c) {
      field(dl, S("self_consent"), when(c.given_at)); field(dl, S("self_notice"), c.notice_version);
      field(dl, S("self_language"), language(c.lang));
      if (c.withdrawn_at) field(dl, S("self_withdrawn_at"), when(c.withdrawn_at));
    });
    box.appendChild(dl);
    heading(box, S("self_technical"));
    var t = d.technical;
    if (!t) { var n = document.createElement("p"); n.className = "muted"; n.textContent = S("privacy_mode"); box.appendChild(n); }
    else {
      var tl = document.createElement("dl");
      field(tl, S("self_ip"), t.ip ? t.ip + (t.ip_kept_until ? " (" + S("self_ip_note") + ": " + when(t.ip_kept_until) + ")" : "") : null);
      field(tl, S("self_browser"), t.browser); field(tl, S("self_os"), t.os); field(tl, S("self_country"), t.country);
      field(tl, S("self_page"), t.page); field(tl, S("self_referrer"), t.referrer); field(tl, S("self_user_agent"), t.user_agent);
      box.appendChild(tl);
    }
    // The messages, folded: the actions below stay near however long the chat was.
    var more = document.createElement("details"), sum = document.createElement("summary");
    sum.textContent = S("self_messages") + " (" + d.messages.length + ")"; more.appendChild(sum);
    var ol = document.createElement("ol"); ol.className = "md-messages";
    d.messages.forEach(function (x) {
      var li = document.createElement("li"), w = document.createElement("span");
      li.className = x.from; w.className = "who"; w.textContent = (x.from === "visitor" ? S("you") : (x.operator || S("operator"))) + " · " + when(x.at);
      li.appendChild(w); li.appendChild(document.createTextNode(x.text)); ol.appendChild(li);
    });
    more.appendChild(ol); box.appendChild(more);
  }

  function openPanel() {
    panelOpen = true; confirmAction = null;
    [gate, declined, log, composer, offline, typingLine, identify].forEach(function (el) { el.hidden = true; });
    panel.hidden = false; $("md-confirm").hidden = true; $("md-actions").hidden = false; $("md-done").hidden = true;
    $("md-body").textContent = ""; $("mydata-open").setAttribute("aria-expanded", "true");
    if (!send({ type: "data" })) status(S("failed"));
    $("mydata-title").focus();
  }
  function closePanel() {
    panelOpen = false; panel.hidden = true; $("mydata-open").setAttribute("aria-expanded", "false");
    if (started || closed || available) showComposer(); else showOffline();
    if (closed) { composer.hidden = true; offline.hidden = true; log.hidden = false; }
  }
  function ask(key, action) {
    confirmAction = action;
    $("md-confirm-text").textContent = S(key);
    $("md-actions").hidden = true; $("md-confirm").hidden = false;
    $("md-confirm").scrollIntoView({ block: "end" }); $("md-yes").focus({ preventScroll: true });
  }
  // After erasure or withdrawal: nothing of the chat stays, neither shown nor kept.
  function ended(message) {
    closed = true; started = false; consented = false; pending = {}; rendered = {};
    forget(); token = newToken(); lastSeq = 0;
    log.textContent = ""; $("md-body").textContent = "";
    ["md-json", "md-html"].forEach(function (id) { $(id).removeAttribute("href"); $(id).hidden = true; });
    $("md-confirm").hidden = true; $("md-actions").hidden = true; $("mydata-open").hidden = true;
    [composer, offline, typingLine, identify, log].forEach(function (el) { el.hidden = true; });
    panel.hidden = false; $("md-back").hidden = true; $("mydata-title").hidden = true;
    $("md-done").textContent = message; $("md-done").hidden = false; $("md-done").focus();
  }
  $("mydata-open").addEventListener("click", function () { if (panelOpen) closePanel(); else openPanel(); });
  $("md-back").addEventListener("click", closePanel);
  $("md-delete").addEventListener("click", function () { ask("self_delete_confirm", "erase"); });
  $("md-withdraw").addEventListener("click", function () { ask("self_withdraw_confirm", "withdraw"); });
  $("md-no").addEventListener("click", function () { confirmAction = null; $("md-confirm").hidden = true; $("md-actions").hidden = false; });
  $("md-yes").addEventListener("click", function () {
    if (confirmAction && !send({ type: confirmAction })) status(S("failed"));
  });
  // A download address works once: fetch fresh ones after each use.
  ["md-json", "md-html"].forEach(function (id) {
    $(id).addEventListener("click", function () { setTimeout(function () { if (panelOpen && !closed) send({ type: "data" }); }, 800); });
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
