"""The report opened in headless Chromium: it draws, Chinese renders, and nothing leaves the machine.

Needs Debian's chromium (and a CJK font, e.g. fonts-noto-cjk, for the glyph check); skipped without it.
Chromium is driven over --remote-debugging-pipe with the DevTools protocol (tests/report/cdp.py).
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

from zonelens.report import build_report

sys.path.insert(0, str(Path(__file__).parent))
from cdp import CJK_GLYPHS_JS, PIXEL_STATS_JS, Browser, chromium_path, png_size  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed")]

LOCAL = ("file://", "data:", "about:", "blob:")


@pytest.fixture(scope="module")
def opened(report_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "report.html"
    build_report(report_db, out, n_boot=100)
    browser = Browser(chromium_path())
    try:
        session = browser.open_page(out.resolve().as_uri())
        # wait until plotly has drawn every figure (it renders asynchronously after load)
        browser.evaluate(session, """new Promise((ok, fail) => { const t0 = Date.now(); (function check() {
            const want = document.querySelectorAll('.plotly-graph-div').length;
            const have = document.querySelectorAll('.plotly-graph-div .main-svg').length;
            if (want && have >= want) ok(true); else if (Date.now() - t0 > 30000) fail('not drawn');
            else setTimeout(check, 100); })(); })""")
        requests = browser.requested_urls()
        yield browser, session, requests, out
    finally:
        browser.close()


def test_no_request_leaves_the_machine(opened):
    _, _, requests, out = opened
    assert requests and requests[0] == out.resolve().as_uri()
    remote = [u for u in requests if not u.startswith(LOCAL)]
    assert remote == [], f"the report fetched {remote}"


def test_all_figures_draw_with_chinese_labels(opened):
    browser, session, _, _ = opened
    n = browser.evaluate(session, "document.querySelectorAll('.plotly-graph-div .main-svg').length")
    assert n >= 4
    svg_text = browser.evaluate(session, "Array.from(document.querySelectorAll('.plotly-graph-div text'))"
                                         ".map(t => t.textContent).join(' ')")
    for label in ("招商引资", "青梧高新区 2023", "北岭新区"):
        assert label in svg_text


def test_cjk_glyphs_render(opened):
    browser, session, _, _ = opened
    res = browser.evaluate(session, CJK_GLYPHS_JS)
    assert "Noto Sans CJK SC" in res["family"]
    assert min(res["ink"]) > 50, res  # something is drawn for each character
    assert res["distinct"] and res["not_missing"], res  # real glyphs, not the same "missing" box


def test_screenshot_is_not_blank(opened, tmp_path):
    browser, session, _, _ = opened
    data = browser.screenshot(session, tmp_path / "report.png")
    width, height = png_size(data)
    assert width >= 800 and height >= 1000
    src = "data:image/png;base64," + base64.b64encode(data).decode()
    stats = browser.evaluate(session, PIXEL_STATS_JS + f"({json.dumps(src)})")
    assert stats["variance"] > 500, stats  # a blank page has variance ~0
    assert 0.005 < stats["dark"] < 0.5, stats  # text and bars, on a mostly light page
