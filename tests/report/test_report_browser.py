"""The report opened in headless Chromium: it draws, Chinese renders, and nothing leaves the machine.

Driven by Playwright for Python on Debian's chromium (``executable_path``): Playwright never
downloads a browser here. Without chromium the tests skip, unless ZONELENS_REQUIRE_BROWSER=1 (set
by .ci/run, which installs chromium and fonts-noto-cjk with apt-get), where they fail.
"""

from __future__ import annotations

import base64
import os
import shutil
import struct

import pytest

from zonelens.report import build_report

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
LOCAL = ("file://", "data:", "about:", "blob:")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def opened(report_db, tmp_path_factory):
    exe = chromium_path()
    if exe is None:
        if os.environ.get("ZONELENS_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed and ZONELENS_REQUIRE_BROWSER=1 (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    out = tmp_path_factory.mktemp("browser") / "report.html"
    build_report(report_db, out, n_boot=100)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.resolve().as_uri())
            # plotly draws asynchronously after load: wait until every figure has its svg
            page.wait_for_function("""() => { const want = document.querySelectorAll('.plotly-graph-div').length;
                return want && document.querySelectorAll('.plotly-graph-div .main-svg').length >= want; }""",
                                   timeout=30000)
            yield page, requests, out
        finally:
            browser.close()


def test_no_request_leaves_the_machine(opened):
    _, requests, out = opened
    assert requests and requests[0] == out.resolve().as_uri()
    remote = [u for u in requests if not u.startswith(LOCAL)]
    assert remote == [], f"the report fetched {remote}"


def test_all_figures_draw_with_chinese_labels(opened):
    page, _, _ = opened
    assert page.evaluate("document.querySelectorAll('.plotly-graph-div .main-svg').length") >= 4
    svg_text = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div text'))"
                             ".map(t => t.textContent).join(' ')")
    for label in ("招商引资", "青梧高新区 2023", "北岭新区", "0: 0_项目_招商", "党建 party"):
        assert label in svg_text


def test_no_toolbar_even_on_hover(opened):
    page, _, _ = opened
    page.hover(".plotly-graph-div >> nth=0")
    assert page.evaluate("document.querySelectorAll('.modebar-container .modebar-btn').length") == 0


def test_cjk_glyphs_render(opened):
    page, _, _ = opened
    res = page.evaluate(CJK_GLYPHS_JS)
    assert "Noto Sans CJK SC" in res["family"]
    assert min(res["ink"]) > 50, res  # something is drawn for each character
    assert res["distinct"] and res["not_missing"], res  # real glyphs, not the same "missing" box


def test_screenshot_is_not_blank(opened, tmp_path):
    page, _, _ = opened
    data = page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1400 and height >= 1000
    stats = page.evaluate(PIXEL_STATS_JS, "data:image/png;base64," + base64.b64encode(data).decode())
    assert stats["variance"] > 500, stats  # a blank page has variance ~0
    assert 0.005 < stats["dark"] < 0.5, stats  # text and bars, on a mostly light page


# Decoding the PNG in the browser (a data: URL drawn on a canvas) avoids an image library.
PIXEL_STATS_JS = """
async (src) => {
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
}
"""

# Distinct CJK characters drawn in the page's font must give distinct bitmaps, each different from a
# private-use code point (which has no glyph and so renders as the font's "missing" box or nothing).
CJK_GLYPHS_JS = """
() => {
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
}
"""
