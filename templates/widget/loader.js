// plauder widget loader: draws the chat button and, on click, the chat in an iframe from
// the plauder server. Stores nothing (no cookie, no storage) and talks to no one else.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__plauderLoaded) return;
  window.__plauderLoaded = true;
  var id = script.getAttribute("data-widget");
  var origin = new URL(script.src).origin;
  var cfg = { accent: "#0b5cad", position: "bottom-right", open: "Chat", close: "Close", title: "Chat" };
  var host = document.createElement("div");
  host.id = "plauder-widget";
  // Open shadow root: it only keeps the host page's CSS out; the chat itself is a cross-origin
  // iframe the host page cannot read either way.
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var button = document.createElement("button");
  var frame = null, open = false;

  function place(el, offset) {
    el.style.position = "fixed";
    el.style.bottom = offset;
    el.style[cfg.position === "bottom-left" ? "left" : "right"] = "20px";
    el.style[cfg.position === "bottom-left" ? "right" : "left"] = "auto";
    el.style.zIndex = "2147483000";
  }

  function styleButton() {
    var s = button.style;
    s.width = s.height = "56px"; s.borderRadius = "50%"; s.border = "0"; s.cursor = "pointer";
    s.background = cfg.accent; s.color = "#fff"; s.boxShadow = "0 4px 14px rgba(0,0,0,.25)";
    s.display = "flex"; s.alignItems = "center"; s.justifyContent = "center"; s.padding = "0";
    button.setAttribute("aria-label", open ? cfg.close : cfg.open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.innerHTML = open
      ? '<svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z"/></svg>'
      : '<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
    place(button, "20px");
  }

  function sizeFrame() {
    var s = frame.style, phone = window.innerWidth < 480;
    s.border = "0"; s.background = "#fff"; s.boxShadow = "0 8px 30px rgba(0,0,0,.25)";
    s.width = phone ? "100vw" : "370px";
    s.height = phone ? "calc(100vh - 90px)" : "min(580px, calc(100vh - 110px))";
    s.borderRadius = phone ? "0" : "14px";
    place(frame, "90px");
    if (phone) { s.left = "0"; s.right = "0"; s.bottom = "86px"; }
  }

  function toggle(show) {
    open = show;
    if (show && !frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/w/" + encodeURIComponent(id);
      frame.title = cfg.title;
      frame.setAttribute("allow", "");
      frame.setAttribute("referrerpolicy", "no-referrer");
      // Only for widgets without privacy mode (cfg.capture): the chat may keep this page's
      // address (no query, no fragment) for operators, and sends it only after consent.
      frame.addEventListener("load", function () {
        if (!cfg.capture || !frame.contentWindow) return;
        var cut = function (u) { return String(u || "").split(/[?#]/)[0]; };
        frame.contentWindow.postMessage({ plauder: "page", url: cut(location.href), referrer: cut(document.referrer) }, origin);
      });
      root.appendChild(frame);
    }
    if (frame) { sizeFrame(); frame.style.display = show ? "block" : "none"; }
    styleButton();
    if (show && frame) frame.focus(); else button.focus();
  }

  button.type = "button";
  button.addEventListener("click", function () { toggle(!open); });
  window.addEventListener("message", function (e) {
    if (e.origin === origin && e.data === "plauder:close") toggle(false);
  });
  document.addEventListener("keydown", function (e) { if (open && e.key === "Escape") toggle(false); });
  window.addEventListener("resize", function () { if (frame && open) sizeFrame(); });
  styleButton();
  root.appendChild(button);
  (document.body || document.documentElement).appendChild(host);

  // The widget router may pick another widget for this page. The address (no query, no
  // fragment) and language go in the body, never in a URL; text/plain needs no preflight.
  // The server only chooses with them; on any failure the embedded widget stays.
  fetch(origin + "/w/route", {
    method: "POST", credentials: "omit", referrerPolicy: "no-referrer",
    headers: { "Content-Type": "text/plain" },
    body: JSON.stringify({ widget: id, url: location.origin + location.pathname,
      lang: (navigator.languages && navigator.languages[0]) || navigator.language || "" })
  })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (r) { if (r && typeof r.widget === "string" && r.widget && !frame) id = r.widget; }, function () {})
    .then(function () { return fetch(origin + "/w/" + encodeURIComponent(id) + "/config", { credentials: "omit", referrerPolicy: "no-referrer" }); })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (c) { if (c) { cfg = c; styleButton(); if (frame) { frame.title = cfg.title; sizeFrame(); } } })
    .catch(function () {});
})();
