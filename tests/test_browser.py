"""The built book in a real browser: Debian's Chromium, driven by Playwright, against the
HTML served on localhost. Screenshots are kept in _build/test-artifacts/."""

import contextlib
import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from conftest import REPO_ROOT, course

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = REPO_ROOT / "_build" / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(folder):
    """A local HTTP server for ``folder``, on a free port: yields its address."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def site(html_dir):
    with served(html_dir) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# A phone held upright (an iPhone 12 to 15's viewport), with touch, as the issue's reader.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 3}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


class Visit:
    """A page loaded in a fresh context (a desktop window unless told otherwise, e.g.
    ``PHONE``), with what went wrong while loading it."""

    def __init__(self, browser, url, device=DESKTOP):
        self.context = browser.new_context(**device)
        self.page = self.context.new_page()
        self.errors, self.missing, self.external = [], [], []
        local_host = urlparse(url).netloc
        # Nothing may be fetched from another host while the page loads.
        self.page.route("**/*", self._only_local(local_host))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("response", lambda r: self.missing.append(r.url) if r.status >= 400 else None)
        self.page.goto(url, wait_until="networkidle")

    def _only_local(self, local_host):
        def handle(route):
            if urlparse(route.request.url).netloc in (local_host, ""):
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()
        return handle

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def chapter(browser, site):
    visit = Visit(browser, f"{site}/book/convnets.html")
    # MathJax typesets asynchronously: wait for the three numbered equations.
    visit.page.wait_for_function(
        "() => document.querySelectorAll('div.math mjx-container').length >= 3", timeout=20000)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(ARTEFACTS / "chapter-top.png"))
    visit.page.screenshot(path=str(ARTEFACTS / "chapter-full.png"), full_page=True)
    yield visit
    visit.close()


def test_launch_menu_follows_the_repository(chapter):
    """Binder, Colab and Live Code where the course knows its GitHub repository (the
    fork case is built in tests/test_repository.py); no launch menu at all otherwise."""
    page = chapter.page
    menu = page.locator("button[aria-label='Launch interactive content']")
    live = page.locator("button.thebe-launch-button, button:has-text('Live Code')")
    repository = course.github_repository(REPO_ROOT)
    if repository is None:
        assert menu.count() == 0 and live.count() == 0
        assert page.locator("a[href*='mybinder.org'], a[href*='colab.research.google.com']").count() == 0
        return
    slug, branch = repository[0].removeprefix("https://github.com/"), repository[1]
    menu.click()
    binder = page.locator("a[href*='mybinder.org']")
    binder.first.wait_for(state="visible")
    assert binder.first.get_attribute("href") == (
        f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/book/convnets.ipynb")
    assert page.locator("a[href*='colab.research.google.com']").first.get_attribute("href") == (
        f"https://colab.research.google.com/github/{slug}/blob/{branch}/book/convnets.ipynb")
    assert live.count() >= 1
    page.screenshot(path=str(ARTEFACTS / "chapter-launch-menu.png"))
    page.keyboard.press("Escape")


def test_download_buttons(chapter):
    page = chapter.page
    assert page.locator("a[href$='.ipynb'][download], a[href*='_sources'][href$='.ipynb']").count() >= 1
    assert page.locator("a[href*='_sources'][href$='.md']").count() >= 1


def test_animation_plays_and_steps(chapter):
    page = chapter.page
    player = page.locator(".course-animation")
    player.scroll_into_view_if_needed()
    assert player.get_attribute("data-frame") == "0"
    assert page.locator(".course-animation-frame path").count() == 2
    page.click(".course-animation button[data-action=forward]")
    assert player.get_attribute("data-frame") == "1"
    first_line = page.locator(".course-animation-frame path").first.get_attribute("d")
    page.click(".course-animation button[data-action=play]")
    page.wait_for_function(
        "() => Number(document.querySelector('.course-animation').dataset.frame) >= 4", timeout=5000)
    page.click(".course-animation button[data-action=play]")  # pause
    paused_at = player.get_attribute("data-frame")
    page.wait_for_timeout(400)
    assert player.get_attribute("data-frame") == paused_at
    assert page.locator(".course-animation-frame path").first.get_attribute("d") != first_line
    player.screenshot(path=str(ARTEFACTS / "animation-after-play.png"))


def test_equations_are_typeset(chapter):
    page = chapter.page
    displayed = page.locator("div.math").count()
    assert displayed >= 3 and page.locator("div.math mjx-container").count() == displayed
    # No raw TeX left: MathJax replaced every inline formula too.
    assert page.locator("span.math:not(:has(mjx-container))").count() == 0


@pytest.mark.parametrize("path", ["book/intro.html", "book/convnets.html"])
def test_no_javascript_error_no_missing_asset_no_external_request(browser, site, path):
    visit = Visit(browser, f"{site}/{path}")
    try:
        visit.page.wait_for_timeout(500)
        assert visit.errors == []
        assert visit.missing == []
        assert visit.external == []
    finally:
        visit.close()


# Opens every folded block: code cells hidden behind "Show code cell source" (<details>)
# and solutions in drop-downs (sphinx-togglebutton's hidden class).
UNFOLD = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
}"""

# Each code or output block of the article that is wider than its column: what it is,
# its width and its column's, and its first line.
TOO_WIDE = """() => Array.from(document.querySelectorAll('article pre'))
  .filter(pre => pre.scrollWidth > pre.clientWidth)
  .map(pre => ({block: (pre.closest('.cell_output') ? 'output' : 'code'),
                scroll: pre.scrollWidth, client: pre.clientWidth,
                line: pre.textContent.split('\\n').reduce((a, b) => a.length >= b.length ? a : b).slice(0, 70)}))"""

MEASURED = """() => Array.from(document.querySelectorAll('article pre'))
  .filter(pre => pre.clientWidth > 0).length"""


def book_pages():
    return sorted(p.relative_to(REPO_ROOT / "book").with_suffix(".html").as_posix()
                  for p in (REPO_ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("name", book_pages())
def test_no_code_or_output_line_is_wider_than_its_column(browser, site, name):
    """At a desktop width, then at a narrow one (the same page, resized: the theme's
    layout follows the width through CSS alone)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site}/book/{name}", wait_until="networkidle")
        page.evaluate(UNFOLD)
        blocks = page.locator("article pre").count()
        for width in [1280, 800]:
            page.set_viewport_size({"width": width, "height": 900})
            # Every block is laid out (none left folded), so every block is measured.
            assert page.evaluate(MEASURED) == blocks
            too_wide = page.evaluate(TOO_WIDE)
            if too_wide:  # the whole page, to see the culprits (a second or two per page)
                ARTEFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTEFACTS / f"code-width-{width}-{name[:-5]}.jpeg"),
                                full_page=True, type="jpeg", quality=50)
            assert too_wide == [], (f"{name} at {width} px: {len(too_wide)} of {blocks} blocks too "
                                    f"wide: {too_wide[:5]} (screenshot in {ARTEFACTS})")
    finally:
        context.close()
