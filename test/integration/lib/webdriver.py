"""webdriver.py - a minimal W3C WebDriver client (only the standard library) for the browser
tests: starts chromedriver with Debian's headless Chromium, a fresh profile, no network
beyond loopback, and offers the few commands the tests need. No selenium: nothing to
install from outside Debian.

    with Browser(build_dir) as b:
        b.get(url); b.find("#token").send_keys("..."); b.find("#login-button").click()
        b.wait_for("body[data-loaded]"); b.screenshot(path)
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = os.environ.get("SCAIDNS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SCAIDNS_CHROMEDRIVER", "/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(Exception):
    pass


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Element:
    def __init__(self, browser, eid):
        self.b = browser
        self.id = eid

    def _p(self, rest=""):
        return "/element/" + self.id + rest

    def click(self):
        self.b.cmd("POST", self._p("/click"), {})

    def send_keys(self, text):
        self.b.cmd("POST", self._p("/value"), {"text": text})

    @property
    def text(self):
        return self.b.cmd("GET", self._p("/text"))

    def attr(self, name):
        return self.b.cmd("GET", self._p("/attribute/" + name))

    def find_all(self, css):
        r = self.b.cmd("POST", self._p("/elements"), {"using": "css selector", "value": css})
        return [Element(self.b, e[ELEMENT]) for e in r]


class Browser:
    """Headless Chromium through chromedriver; everything is stopped on exit."""

    def __init__(self, workdir, width=1280, height=900):
        for f in (CHROMIUM, CHROMEDRIVER):
            if not os.access(f, os.X_OK):
                raise WebDriverError(f + " is not installed (Debian: chromium chromium-driver)")
        self.dir = tempfile.mkdtemp(prefix="browser.", dir=workdir)
        self.port = _free_port()
        self.log = open(os.path.join(self.dir, "chromedriver.log"), "w")
        self.proc = subprocess.Popen(
            [CHROMEDRIVER, "--port=%d" % self.port, "--allowed-ips=127.0.0.1"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % self.port
        self.session = None
        deadline = time.time() + 30
        while True:
            try:
                self._http("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.time() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise WebDriverError("chromedriver did not start")
                time.sleep(0.1)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(self.dir, "profile"),
                "--window-size=%d,%d" % (width, height)]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}}}}
        r = self._http("POST", "/session", caps)
        self.session = r["value"]["sessionId"]

    def _http(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                v = json.loads(e.read()).get("value", {})
                msg = "%s: %s" % (v.get("error"), v.get("message", "")[:300])
            except ValueError:
                msg = str(e)
            raise WebDriverError(msg) from None

    def cmd(self, method, path, body=None):
        return self._http(method, "/session/" + self.session + path, body)["value"]

    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def find_all(self, css):
        r = self.cmd("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, e[ELEMENT]) for e in r]

    def find(self, css):
        r = self.find_all(css)
        if not r:
            raise WebDriverError("no element matches " + css)
        return r[0]

    def wait_for(self, css, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            r = self.find_all(css)
            if r:
                return r[0]
            time.sleep(0.2)
        raise WebDriverError("after %d s still no element matches %s" % (seconds, css))

    def script(self, js, *args):
        return self.cmd("POST", "/execute/sync", {"script": js, "args": list(args)})

    def console(self):
        """The browser's console messages so far (CSP violations show up here)."""
        try:
            return self.cmd("POST", "/se/log", {"type": "browser"})
        except WebDriverError:
            return []

    def screenshot(self, path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)

    def close(self):
        if self.session:
            try:
                self._http("DELETE", "/session/" + self.session, timeout=10)
            except Exception:  # noqa: BLE001 - stopping anyway
                pass
            self.session = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(os.path.join(self.dir, "profile"), ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
