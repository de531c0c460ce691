"""A tiny Chrome DevTools Protocol client over --remote-debugging-pipe (no extra dependencies),
and a minimal PNG decoder, for the browser tests of the HTML report."""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--no-default-browser-check", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--window-size=1280,1600"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """Headless chromium driven over a pipe: ``send`` a command, collect the events it causes."""

    def __init__(self, exe: str, timeout: float = 60.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="zl-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()

        def wire() -> None:  # chromium reads commands on fd 3 and writes replies on fd 4
            r, w = os.dup(cmd_r), os.dup(res_w)  # above 4, so neither is overwritten by the other
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
                                      "about:blank"], preexec_fn=wire, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._res_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        deadline = time.time() + (timeout or self.timeout)
        while True:
            ev = self._read_message(deadline)
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def open_page(self, url: str) -> str:
        """A new tab with network and page events on; navigates to ``url``, waits for load; the session."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            self.send(f"{domain}.enable", session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired")
        return session

    def evaluate(self, session: str, expression: str):
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True}, session=session)
        if "exceptionDetails" in res:
            raise RuntimeError(f"page script failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def requested_urls(self) -> list[str]:
        return [ev["params"]["request"]["url"] for ev in self.events
                if ev.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, session: str, path: Path) -> bytes:
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                          session=session)["data"])
        path.write_bytes(data)
        return data

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # already gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._res_r)
        shutil.rmtree(self.profile, ignore_errors=True)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


# Decoding the PNG in the browser (a data: URL drawn on a canvas) avoids an image library.
PIXEL_STATS_JS = """
(async (src) => {
  const img = new Image(); img.src = src; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let n = 0, s = 0, s2 = 0, dark = 0;
  for (let i = 0; i < d.length; i += 4 * 7) {
    const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    n++; s += y; s2 += y * y; if (y < 128) dark++;
  }
  const mean = s / n;
  return {width: c.width, height: c.height, mean: mean, variance: s2 / n - mean * mean, dark: dark / n};
})
"""

# Distinct CJK characters drawn in the page's font must give distinct bitmaps, each different from a
# private-use code point (which has no glyph and so renders as the font's "missing" box or nothing).
CJK_GLYPHS_JS = """
(() => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d');
  const family = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    g.clearRect(0, 0, 64, 64); g.fillStyle = '#000'; g.font = '48px ' + family; g.fillText(ch, 4, 52);
    const d = g.getImageData(0, 0, 64, 64).data; let ink = 0, h = 0;
    for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) ink++; h = (h * 31 + d[i]) >>> 0; }
    return {ink: ink, hash: h};
  };
  const a = draw('招'), b = draw('商'), c2 = draw('梧'), missing = draw('\\uE000');
  return {family: family, ink: [a.ink, b.ink, c2.ink],
          distinct: a.hash !== b.hash && b.hash !== c2.hash && a.hash !== c2.hash,
          not_missing: [a, b, c2].every(x => x.hash !== missing.hash)};
})()
"""
