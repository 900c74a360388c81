#!/usr/bin/env python3
# Screenshots of the staff pages (desktop 1280 px and phone 360 px) with Debian chromium +
# chromium-driver: python3 scripts/screenshots.py PORT ADMIN_PASSWORD; PNGs land in /tmp/shots.
# Drives chromedriver over its HTTP API: login page, failed login, dashboard; desktop and 360 px.
import json, urllib.request, base64, subprocess, time, sys, re
import os; os.makedirs("/tmp/shots", exist_ok=True)
port = sys.argv[1]; password = sys.argv[2]; base = f"https://127.0.0.1:{port}"
drv = subprocess.Popen(["chromedriver", "--port=9515"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
def call(method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:9515" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None, headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["value"]
def session(width, height, lang):
    caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "acceptInsecureCerts": True,
        "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--window-size={width},{height}", f"--lang={lang}", "--user-data-dir=/tmp/shots/ud-%d" % width],
        "prefs": {"intl.accept_languages": lang}}}}}
    if width < 500:
        caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] = {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1}}
    return call("POST", "/session", caps)["sessionId"]
def shot(sid, name):
    png = call("GET", f"/session/{sid}/screenshot")
    open(f"/tmp/shots/{name}.png", "wb").write(base64.b64decode(png))
def find(sid, css):
    el = call("POST", f"/session/{sid}/element", {"using": "css selector", "value": css})
    return list(el.values())[0]
def typ(sid, css, text):
    call("POST", f"/session/{sid}/element/{find(sid, css)}/value", {"text": text})
def click(sid, css):
    call("POST", f"/session/{sid}/element/{find(sid, css)}/click", {})
for width, height, lang in [(1280, 800, "en"), (360, 740, "de")]:
    sid = session(width, height, lang)
    call("POST", f"/session/{sid}/url", {"url": base + "/login"})
    shot(sid, f"login-{width}")
    typ(sid, "#username", "admin"); typ(sid, "#password", "wrong"); click(sid, "button.primary")
    time.sleep(0.7); shot(sid, f"login-error-{width}")
    typ(sid, "#password", password); time.sleep(0.2); click(sid, "button.primary")
    time.sleep(1.0)
    shot(sid, f"dashboard-{width}")
    call("DELETE", f"/session/{sid}")
drv.terminate()
