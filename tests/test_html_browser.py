"""The HTML edition in a real browser: Debian's chromium, driven by Playwright.

The default solutions and problem sheet and both pages of a drawn variant
(for a student with a hostile name) are served from a local HTTP server and
opened at a phone's 360 px and at a desktop's 1280 px. Each page must render
every formula (no KaTeX error, a MathML twin for each), log no console error,
request nothing but its own files, load every figure, never scroll sideways,
and pass an axe-core scan without a serious or critical violation.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import importlib.util
import os
import shutil
import threading

import pytest

from tests.conftest import skip_unless

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE_NAME = "</title><script>alert(1)</script> \\input{/etc/passwd} $x$ \u202eevil\u202c"
WIDTHS = (360, 1280)


def _browser_missing() -> str:
    missing = [what for what, ok in (("chromium", os.access(CHROMIUM, os.X_OK)),
                                     ("pandoc", shutil.which("pandoc") is not None)) if not ok]
    missing += [name for name in ("playwright", "axe_playwright_python") if importlib.util.find_spec(name) is None]
    return ", ".join(missing)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The pages under test, built once and served on 127.0.0.1."""
    missing = _browser_missing()
    skip_unless(not missing, "BROWSER", f"browser tests need {missing} (make test installs them)")
    from rnnsym import html, variants
    from rnnsym.params import load_variant

    root = tmp_path_factory.mktemp("site")
    html.build_html(load_variant(None), root / "default")
    # The Persian edition ([meta] language = "fa"): right to left, from the Persian catalog.
    default = load_variant(None)
    html.build_html(dataclasses.replace(default, meta=dataclasses.replace(default.meta, language="fa")),
                    root / "persian")
    spec = variants.BatchSpec(2026, 1, (variants.Student(HOSTILE_NAME, "7"),), {})
    drawn = variants.draw_batch(spec)[0]
    html.build_html(drawn, root / "drawn")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", drawn
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def open_page(browser, base: str, path: str, width: int):
    """Opens ``path`` at ``width`` px; returns the page, the requests outside
    the page's own folder (blocked), and the console errors."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    own = f"{base}/{path.rsplit('/', 1)[0]}/"
    outside: list[str] = []
    errors: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(own):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_function("document.documentElement.dataset.math === 'rendered'", timeout=30_000)
    return page, outside, errors


PAGES = ["default/html/solutions.html", "default/html/problems.html",
         "drawn/html/problems.html", "drawn/html/solutions.html",
         "persian/html/solutions.html", "persian/html/problems.html"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_the_page_renders_whole_in_chromium(site, browser, path, width):
    base, _ = site
    page, outside, errors = open_page(browser, base, path, width)
    try:
        state = page.evaluate("""() => ({
            formulas: document.querySelectorAll('span.math').length,
            rendered: document.querySelectorAll('span.math > .katex, span.math > .katex-display').length,
            mathml: document.querySelectorAll('span.math .katex-mathml math').length,
            katexErrors: document.querySelectorAll('.katex-error, merror').length,
            images: [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0,
                                                    alt: i.alt})),
            scrollWidth: document.scrollingElement.scrollWidth,
            viewport: window.innerWidth,
        })""")
        assert state["formulas"] > 50
        assert state["rendered"] == state["formulas"] == state["mathml"]
        assert state["katexErrors"] == 0
        assert outside == []
        assert errors == []
        assert all(image["ok"] and image["alt"] for image in state["images"]), state["images"]
        if path.endswith("solutions.html"):  # five matplotlib figures and three TikZ pictures
            assert len(state["images"]) == 8
        assert state["scrollWidth"] <= state["viewport"]
    finally:
        page.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(site, browser, path):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = site
    page, _, _ = open_page(browser, base, path, 360)
    try:
        violations = Axe().run(page).response["violations"]
    finally:
        page.context.close()
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_a_hostile_student_name_is_text_in_the_browser(site, browser):
    base, drawn = site
    page, _, errors = open_page(browser, base, "drawn/html/problems.html", 1280)
    try:
        scripts = page.evaluate("[...document.scripts].map(s => s.getAttribute('src'))")
        identification = page.inner_text("header .rnnsym-identification")
        title = page.title()
    finally:
        page.context.close()
    assert scripts == ["assets/katex/katex.min.js", "assets/render-math.js"]
    assert HOSTILE_NAME in identification and drawn.meta.variant in title
    assert errors == []


def test_a_right_to_left_page_keeps_formulas_left_to_right(site, browser):
    base, _ = site
    page, outside, errors = open_page(browser, base, "persian/html/solutions.html", 360)
    try:
        state = page.evaluate("""() => ({
            page: getComputedStyle(document.body).direction,
            lang: document.documentElement.lang,
            formulas: [...new Set([...document.querySelectorAll('span.math')].map(s => getComputedStyle(s).direction))],
            scrollWidth: document.scrollingElement.scrollWidth,
            heading: document.querySelector('main h2').textContent,
        })""")
        # A known formula of problem 1, h_{t+1} = sigma(w h_t + b), laid out left to right on the
        # screen: h, then =, then sigma, then w, each to the right of the one before.
        order = page.evaluate(r"""() => {
            const tex = 'h_{t+1} = \\sigma(w h_t + b)';
            const math = [...document.querySelectorAll('span.math')].find(
                s => (s.querySelector('annotation') || {}).textContent === tex);
            if (!math) return null;
            const glyphs = [...math.querySelectorAll('.katex-html .mord, .katex-html .mrel, .katex-html .mop')]
                .filter(e => e.children.length === 0);
            const x = text => glyphs.find(e => e.textContent === text).getBoundingClientRect().left;
            return [x('h'), x('='), x('\u03c3'), x('w')];
        }""")
    finally:
        page.context.close()
    assert state["page"] == "rtl" and state["lang"] == "fa" and state["formulas"] == ["ltr"]
    assert state["scrollWidth"] == 360 and state["heading"] == "کلید پاسخ\u200cها"
    assert order is not None and order == sorted(order) and len(set(order)) == 4, order
    assert outside == [] and errors == []
