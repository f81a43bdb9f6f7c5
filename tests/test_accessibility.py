"""WCAG 2.1 AA: axe-core in headless Chromium on every page, and text alternatives."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup

from test_browser import ARTEFACTS, Visit, browser, site  # noqa: F401 (fixtures)

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "rules": {"heading-order": {"enabled": True}},
               # Every node of every violation, but one node per passed rule: much faster.
               "resultTypes": ["violations"]}


def book_pages(html_dir):
    return sorted(p.relative_to(html_dir).as_posix() for p in (html_dir / "book").glob("*.html"))


def start_axe(visit):
    """Start axe on a loaded page without waiting for its result: its colour-contrast
    rule keeps the page's renderer busy for seconds, and two renderers use two cores."""
    if visit.page.locator("div.math").count():
        visit.page.wait_for_function(
            "() => document.querySelectorAll('div.math mjx-container').length"
            " === document.querySelectorAll('div.math').length", timeout=20000)
    visit.page.evaluate(Axe().axe_script)
    # axe.run does most of its work before its first await: from a timer, the call
    # returns at once and the page's renderer runs axe while Python starts the next page.
    visit.page.evaluate("options => { window.courseAxeRun = new Promise(resolve => setTimeout("
                        "() => resolve(axe.run(document, options)), 0)); }", AXE_OPTIONS)


def test_axe_finds_no_violation(browser, site, html_dir):  # noqa: F811
    report = []
    paths = book_pages(html_dir)
    for pair in [paths[i:i + 2] for i in range(0, len(paths), 2)]:
        visits = {path: Visit(browser, f"{site}/{path}") for path in pair}
        try:
            for visit in visits.values():
                start_axe(visit)
            for path, visit in visits.items():
                results = visit.page.evaluate("() => window.courseAxeRun")
                for violation in results["violations"]:
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    report.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
                assert results["passes"], f"{path}: axe ran no check at all"
        finally:
            for visit in visits.values():
                visit.close()
    assert report == []


def looks_like_a_file_name(text):
    return bool(re.search(r"\.(svg|png|gif|jpe?g|pdf)$|^\.\./|_images/", text.strip()))


def test_every_image_has_a_meaningful_text_alternative(html_dir):
    for path in book_pages(html_dir):
        soup = BeautifulSoup((html_dir / path).read_text(), "html.parser")
        for img in soup.find_all("img"):
            alt = (img.get("alt") or "").strip()
            assert alt and not looks_like_a_file_name(alt) and len(alt.split()) >= 2, (
                f"{path}: image {img['src']} has alt {alt!r}")
        for player in soup.select(".course-animation svg"):
            assert player.get("role") == "img" and len(player.get("aria-label", "").split()) >= 5


def test_alt_check_catches_a_file_name():
    assert looks_like_a_file_name("../_images/0123abcd.svg")
    assert not looks_like_a_file_name("A blurred cat")
