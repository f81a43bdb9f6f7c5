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


def test_live_code_starts_the_books_thebe_with_the_network_off(browser, fork_site):  # noqa: F811
    visit = Visit(browser, f"{fork_site}/book/convnets.html")
    page = visit.page
    assert visit.errors == [] and visit.external == []  # before the click
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request))
    # Each error with where it comes from: a failed request's message names no address.
    page.on("console", lambda message: errors.append(
        f"{message.text} ({message.location.get('url')})") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        before = page.evaluate(CELLS)
        assert len(before) > 5 and all(thebe_cells == 0 for thebe_cells, _ in before)
        page.locator("button[aria-label='Launch interactive content']").click()
        page.locator("button:has-text('Live Code')").click()
        try:
            page.wait_for_function("() => window.thebe !== undefined", timeout=30000)
        except PlaywrightTimeout:
            pytest.fail(f"Thebe did not load; requested from other hosts: {visit.external}")
        # Offline, the launch ends when mybinder.org cannot be reached.
        page.wait_for_function(
            "() => /failed/.test(document.querySelector('.thebe-launch-button').textContent)",
            timeout=30000)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "live-code-offline.png"))

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
        assert page.locator(".thebe-cell .thebe-run-button").count() == len(before)
        assert page.evaluate(OUTPUT_AREAS_IN_THEIR_CELLS) == [True] * len(before)

        # Nothing from another host but the request to Binder (aborted, offline).
        assert {urlparse(url).hostname for url in visit.external} == {BINDER_HOST}
        assert visit.missing == []
        assert f"https://{BINDER_HOST}/build/gh/someone/cnn-course/main" in visit.external
        # The only errors: Binder cannot be reached.
        assert errors and all(BINDER_HOST in error for error in errors), errors

        # The Thebe cells pass the WCAG checks the static pages pass (editors named, none
        # a scrolling box that a keyboard cannot reach). Last, as running axe requests a
        # style sheet at an address that does not exist (/basic.css).
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations] == []
    finally:
        visit.close()
