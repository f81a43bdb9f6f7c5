"""Live Code runs on the Thebe that the book serves itself (sphinx_ext/thebe_local.py and
_static/course-thebe.js), never on one fetched from another host.

The book is the copy built with a GitHub origin (`fork_build`), which has launch buttons
whatever this clone's origin. Offline, Thebe starts, turns every cell into a Thebe cell
and asks mybinder.org for a kernel, which fails: a real kernel cannot be tested here."""

import io
import json
import re
import tarfile
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import install_thebe
from conftest import REPO_ROOT
from test_accessibility import AXE_OPTIONS
from test_browser import ARTEFACTS, Visit, browser, served  # noqa: F401 (fixture)

THEBE_PACKAGE = REPO_ROOT / "node_modules" / "thebe"
BINDER_HOST = "mybinder.org"
THEBE_JS_URL = re.compile(r'const THEBE_JS_URL = "([^"]*)"')


@pytest.fixture(scope="module")
def fork_html(fork_build):
    folder, result = fork_build
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return folder / "_build" / "html"


@pytest.fixture(scope="module")
def fork_site(fork_html):
    with served(fork_html) as address:
        yield address


def test_the_installed_thebe_is_the_pinned_one():
    version, _ = install_thebe.pinned()
    assert (THEBE_PACKAGE / "lib" / "index.js").is_file(), "`make` runs scripts/install_thebe.py"
    assert json.loads((THEBE_PACKAGE / "package.json").read_text())["version"] == version


def test_a_download_with_another_hash_is_refused(tmp_path):
    tarball = tmp_path / "thebe.tgz"
    tarball.write_bytes(b"")
    # The integrity string of no bytes at all, as npm and browsers (SRI) write it.
    empty = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    assert install_thebe.integrity(tarball) == empty
    install_thebe.check_integrity(tarball, empty)
    with pytest.raises(ValueError, match="not the one pinned in package.json"):
        install_thebe.check_integrity(tarball, install_thebe.pinned()[1])


def test_unpacking_replaces_the_old_copy(tmp_path):
    tarball = tmp_path / "package.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        member = tarfile.TarInfo("package/lib/index.js")
        member.size = len(b"new")
        archive.addfile(member, io.BytesIO(b"new"))
    target = tmp_path / "node_modules" / "thebe"
    (target / "lib").mkdir(parents=True)
    (target / "lib" / "stale.js").write_text("old")
    install_thebe.unpack(tarball, target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["lib", "lib/index.js"]


def test_the_book_serves_the_whole_thebe_bundle(fork_html):
    """Every script of the npm package's bundle (the chunks are loaded on demand), and its
    style sheet, are in the built site."""
    bundle = {path.name for path in (THEBE_PACKAGE / "lib").glob("*.js")}
    assert "index.js" in bundle and len(bundle) > 10
    served = fork_html / "_static" / "thebe"
    assert bundle <= {path.name for path in served.glob("*.js")}
    assert (served / "thebe.css").is_file()


def test_every_page_points_thebe_at_the_books_copy(fork_html):
    """At any depth (the site's root, book/), THEBE_JS_URL leads to the bundle, and no
    page names a CDN."""
    pages = sorted(fork_html.rglob("*.html"))
    depths = set()
    for page in pages:
        html = page.read_text()
        if "sphinx-thebe.js" not in html:
            continue  # the root's redirection page
        match = THEBE_JS_URL.search(html)
        assert match, f"{page}: no THEBE_JS_URL"
        assert (page.parent / match[1]).resolve() == (fork_html / "_static/thebe/index.js").resolve(), page
        assert not re.search(r"unpkg\.com|jsdelivr|cdnjs", html), page
        depths.add(len(page.relative_to(fork_html).parts))
    assert depths >= {1, 2}, depths


# What a built page's cells hold before and after Live Code: for each cell, its number of
# Thebe cells, and the first line of its output's text (sphinx-thebe removes the copy
# buttons of the outputs, whose labels are text too).
CELLS = """() => Array.from(document.querySelectorAll('div.cell')).map(cell => {
  const output = cell.querySelector('[data-output]') || cell.querySelector('.cell_output');
  return [cell.querySelectorAll('.thebe-cell').length,
          output ? output.textContent.trim().split('\\n')[0] : ''];
})"""

# For each cell of Thebe's notebook: whether its output area sits in the page's cell that
# holds its code (Thebe 0.9 pairs the n-th code with the n-th output element of the page).
OUTPUT_AREAS_IN_THEIR_CELLS = """() => window.thebe.notebook.cells.map(cell => {
  const code = document.querySelector(`[data-thebe-id="${cell.id}"]`);
  return code !== null && code.closest('div.cell') === cell.area.node.closest('div.cell');
})"""

THEBE_STATE = """() => ({
  version: window.thebe.version,
  alias: window.thebelab === window.thebe,
  binder: window.thebe.server.config.binder,
  kernel: window.thebe.server.config.kernels,
  mathjaxUrl: window.thebe.server.config.base.mathjaxUrl,
})"""


class HeldBinder:
    """Holds the page's requests to mybinder.org: Live Code stays in its launch, Thebe's
    cells on the page, until `fail()`, which makes the requests fail, as offline."""

    def __init__(self, page):
        self.routes = []
        page.route(re.compile(rf"^https://{re.escape(BINDER_HOST)}/"), lambda route: self.routes.append(route))

    @property
    def urls(self):
        return [route.request.url for route in self.routes]

    def fail(self):
        for route in self.routes:
            route.abort()


def click_live_code(page):
    page.locator("button[aria-label='Launch interactive content']").click()
    page.locator("button:has-text('Live Code')").click()
    try:
        page.wait_for_function("() => document.querySelectorAll('.thebe-cell').length > 0",
                               timeout=30000)
    except PlaywrightTimeout:
        pytest.fail("Live Code made no Thebe cell within 30 s")


def test_live_code_starts_the_books_thebe_with_the_network_off(browser, fork_site):  # noqa: F811
    visit = Visit(browser, f"{fork_site}/book/convnets.html")
    page = visit.page
    assert visit.errors == [] and visit.external == []  # before the click
    binder = HeldBinder(page)
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request))
    # Each error with where it comes from: a failed request's message names no address.
    page.on("console", lambda message: errors.append(
        f"{message.text} ({message.location.get('url')})") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        before = page.evaluate(CELLS)
        assert len(before) > 5 and all(thebe_cells == 0 for thebe_cells, _ in before)
        click_live_code(page)
        page.wait_for_function(f"() => window.thebe !== undefined && {len(before)} === "
                               "document.querySelectorAll('.thebe-cell .thebe-run-button').length",
                               timeout=30000)
        # While Thebe waits for mybinder.org (held here):
        state = page.evaluate(THEBE_STATE)
        version = json.loads((THEBE_PACKAGE / "package.json").read_text())["version"]
        assert state["version"] == version and state["alias"]
        # sphinx-thebe's configuration, as Thebe 0.9 understood it.
        assert state["binder"]["repo"] == "someone/cnn-course" and state["binder"]["ref"] == "main"
        assert state["kernel"]["kernelName"] == "python3" and state["kernel"]["path"].endswith("book")
        assert state["mathjaxUrl"] == ""

        # Thebe came from the book itself.
        bundle = [r for r in requests if r.url.split("?")[0].endswith("/_static/thebe/index.js")]
        assert bundle and urlparse(bundle[0].url).netloc == urlparse(fork_site).netloc
        assert bundle[0].response() is not None and bundle[0].response().status == 200
        # Every cell became a Thebe cell with a run button, and kept its own output.
        after = page.evaluate(CELLS)
        assert [thebe_cells for thebe_cells, _ in after] == [1] * len(before)
        assert [output for _, output in after] == [output for _, output in before]
        assert page.evaluate(OUTPUT_AREAS_IN_THEIR_CELLS) == [True] * len(before)
        # No output went into a closed fold with its hidden code (the animation's cell).
        assert page.evaluate("() => document.querySelectorAll("
                             "'details:not([open]) [data-output]').length") == 0
        # Nothing from another host but the request to Binder (held), nothing missing.
        assert visit.external == [] and visit.missing == []
        # The Thebe cells pass the WCAG checks the static pages pass (editors named, none
        # a scrolling box that a keyboard cannot reach). (Running axe requests a style
        # sheet at an address that does not exist, /basic.css: no missing file after it.)
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations] == []

        # Offline, the launch ends when mybinder.org cannot be reached: the page says so,
        # what the reader can do instead, and is as it was, without dead run buttons.
        binder.fail()
        page.wait_for_selector(".course-live-code-failed", timeout=30000)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "live-code-offline.png"))
        notice = page.locator(".course-live-code-failed")
        assert notice.get_attribute("role") == "alert"
        assert "mybinder.org, which could not be reached" in notice.text_content()
        assert "network connection" in notice.text_content()
        links = notice.locator("a")
        assert links.count() == 2
        assert links.nth(0).get_attribute("href") == (
            "https://colab.research.google.com/github/someone/cnn-course/blob/main/book/convnets.ipynb")
        assert links.nth(1).get_attribute("href").endswith("_sources/book/convnets.ipynb")
        assert page.locator(".thebe-launch-button").text_content() == "Live Code is unavailable"
        assert page.locator(".thebe-launch-button .spinner").count() == 0
        assert page.evaluate(CELLS) == before
        assert page.locator(".thebe-run-button").count() == 0

        # Nothing from another host but the request to Binder (held, then failed).
        assert visit.external == []
        assert binder.urls == [f"https://{BINDER_HOST}/build/gh/someone/cnn-course/main"]
        # The only errors: Binder cannot be reached (and axe's /basic.css).
        assert errors and all(BINDER_HOST in error or "/basic.css)" in error
                              for error in errors), errors
        # The notice passes axe too.
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations] == []
    finally:
        visit.close()


# For each widget: a page, the widget's element, what a reader does with it, what shows
# that the widget keeps what the reader did, and an action that must still work after.
WIDGETS = {
    "explorer": ("convolution_by_hand", ".course-explorer",
                 [("fill", "input[name=n]", "6"), ("click", "[data-action=forward]", None),
                  ("click", "[data-action=forward]", None)],
                 ("data-position", "3"), ("[data-action=forward]", "data-position", "4")),
    "player": ("convnets", ".course-animation",
               [("click", "[data-action=forward]", None), ("click", "[data-action=forward]", None)],
               ("data-frame", "2"), ("[data-action=forward]", "data-frame", "3")),
    "lenet": ("lenet_digits", ".course-lenet",
              [("click", "[data-action=next]", None), ("click", "[data-action=next]", None)],
              ("data-loaded", "2"), ("[data-action=next]", "data-loaded", "3")),
}


@pytest.mark.parametrize("widget", WIDGETS)
def test_widgets_keep_working_and_their_state_through_live_code(browser, fork_site, widget):  # noqa: F811
    """Thebe replaces each output by a copy of its HTML: the widget must run in the copy,
    with what the reader did, while Live Code launches and after it failed (offline)."""
    page_name, selector, actions, (kept, kept_value), (action, changed, changed_value) = WIDGETS[widget]
    visit = Visit(browser, f"{fork_site}/book/{page_name}.html")
    page = visit.page
    binder = HeldBinder(page)
    try:
        root = page.locator(selector)
        for kind, target, value in actions:
            getattr(root.locator(target), kind)(*([value] if value is not None else []))
        assert root.get_attribute(kept) == kept_value
        page.evaluate(f"() => {{ document.querySelector('{selector}').original = true; }}")
        canvas_pixels = ("() => Array.from(document.querySelectorAll('{} canvas'), "
                         "c => c.toDataURL())").format(selector)
        pixels = page.evaluate(canvas_pixels)

        click_live_code(page)
        for moment in ("during Live Code", "after Live Code failed"):
            # The element on the page is a copy, not the one the reader used.
            assert root.count() == 1
            assert page.evaluate(f"() => document.querySelector('{selector}').original") is None, moment
            assert root.get_attribute("data-ready") == "true", moment
            assert root.get_attribute(kept) == kept_value, moment
            assert page.evaluate(canvas_pixels) == pixels, moment
            if widget == "explorer":
                assert root.locator("input[name=n]").input_value() == "6", moment
            assert root.is_visible(), moment
            if moment == "during Live Code":
                binder.fail()
                page.wait_for_selector(".course-live-code-failed", timeout=30000)
        root.locator(action).click()
        assert root.get_attribute(changed) == changed_value
        assert page.locator(f"{selector} svg .course-animation-frame").count() == (widget == "player")
    finally:
        visit.close()
