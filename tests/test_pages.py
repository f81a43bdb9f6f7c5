"""Checks that hold for every page of `_toc.yml`, with no test code of its own.

A page's claims about its results are checked by the page itself (hidden assertion
cells, glue); here are the properties every page must have in the built book.
"""

import re

import pytest
from bs4 import BeautifulSoup

from conftest import EXECUTABLE_PAGES, PAGES, exercises_and_solutions, html_page

PAGE_BUDGET_KB = 400
PAGE_WITH_IMAGES_BUDGET_KB = 600  # what a phone downloads: the HTML and its own images
MIN_EXERCISES = 3
LABEL = re.compile(r"(sec|fig|eq|ex|tab)-[a-z0-9]+(-[a-z0-9]+)*")
ids = {"ids": lambda page: page.stem}


def soup_of(html_dir, page):
    return BeautifulSoup(html_page(html_dir, page).read_text(), "html.parser")


def outermost_figures(soup):
    """Numbered figures: MyST's <figure>, the TikZ directive's div.figure; a figure
    holding sub-figures counts once."""
    figures = soup.select("main figure, main div.figure")
    return [f for f in figures if not f.find_parent("figure") and not f.find_parent("div", class_="figure")]


def words(text):
    return len(text.split())


@pytest.mark.parametrize("page", PAGES, **ids)
def test_every_figure_is_numbered_captioned_and_described(page, html_dir):
    for figure in outermost_figures(soup_of(html_dir, page)):
        where = f"{page.name}, figure {figure.get('id') or figure.find(id=True)}"
        number = figure.select_one("span.caption-number")
        assert number and re.fullmatch(r"Fig\. \d+", number.get_text(strip=True)), f"{where}: not numbered"
        caption = figure.select_one("span.caption-text")
        assert caption and words(caption.get_text(" ", strip=True)) >= 3, f"{where}: no caption"
        images = figure.find_all("img") + figure.select("svg[role=img]")
        assert images, f"{where}: no image"
        for image in images:
            alt = (image.get("alt") or image.get("aria-label") or "").strip()
            assert words(alt) >= 5 and not re.search(r"\.(svg|png|gif|jpe?g|pdf)$", alt), (
                f"{where}: the alt text {alt!r} does not describe the image")


def caption_number(soup, label):
    """The "Fig. N" of the figure labelled ``label``, as its caption prints it."""
    anchor = soup.find(id=label)
    figure = anchor if anchor.name in ("figure", "div") else anchor.find_parent(["figure", "div"])
    return figure.select_one(".caption-number").get_text(strip=True)


@pytest.mark.parametrize("page", PAGES, **ids)
def test_figures_are_referred_to_by_their_number(page, html_dir):
    """Prose refers to a figure as "Fig. N", never with words ("the pooling figure")."""
    soup = soup_of(html_dir, page)
    for link in soup.select('a.reference.internal[href^="#fig-"]'):
        label = link["href"][1:]
        assert link.get_text(strip=True) == caption_number(soup, label), f"{page.name}: {label}"


@pytest.mark.parametrize("page", EXECUTABLE_PAGES, **ids)
def test_exercises_with_hidden_executed_solutions(page, html_dir):
    exercises, solutions = exercises_and_solutions(soup_of(html_dir, page))
    assert len(exercises) >= MIN_EXERCISES, f"{page.name}: {len(exercises)} exercises"
    solved = set()
    for solution in solutions:
        # A solution's title links to its exercise; its code was executed by the build.
        target = solution.select_one("a.reference.internal[href^='#']")
        if target and solution.select(".cell_output"):
            solved.add(target["href"][1:])
    exercise_ids = {exercise.get("id") for exercise in exercises}
    assert len(solved & exercise_ids) >= MIN_EXERCISES, (
        f"{page.name}: only {sorted(solved & exercise_ids)} have a hidden solution that runs code")


@pytest.mark.parametrize("page", PAGES, **ids)
def test_no_unresolved_reference(page, html_dir):
    soup = soup_of(html_dir, page)
    assert "??" not in soup.get_text()
    assert not soup.select(".xref.missing, span.problematic, .system-message")


@pytest.mark.parametrize("page", PAGES, **ids)
def test_page_weight(page, html_dir):
    kilobytes = html_page(html_dir, page).stat().st_size / 1024
    assert kilobytes <= PAGE_BUDGET_KB, f"{page.name} weighs {kilobytes:.0f} KB"


def page_images(html_dir, page):
    """The local image files the page's article shows (each counted once), with their
    sizes in bytes; the theme's logo and icons are shared by every page and cached."""
    html = html_page(html_dir, page)
    sources = {img["src"] for img in soup_of(html_dir, page).select("article img[src]")}
    files = {(html.parent / src).resolve() for src in sources if "://" not in src
             and not src.startswith("data:")}
    missing = sorted(str(f) for f in files if not f.is_file())
    assert not missing, f"{page.name} shows images that were not written: {missing}"
    return {f: f.stat().st_size for f in files}


@pytest.mark.parametrize("page", PAGES, **ids)
def test_page_weight_with_its_images(page, html_dir):
    images = page_images(html_dir, page)
    kilobytes = (html_page(html_dir, page).stat().st_size + sum(images.values())) / 1024
    heaviest = sorted(images.items(), key=lambda item: -item[1])[:3]
    assert kilobytes <= PAGE_WITH_IMAGES_BUDGET_KB, (
        f"{page.name} weighs {kilobytes:.0f} KB with its images; the heaviest: "
        + ", ".join(f"{f.name} {size / 1024:.0f} KB" for f, size in heaviest))


def test_page_images_are_counted(html_dir):
    """The weight check above sees a page's figures (it could not fail if it saw none)."""
    convnets = next(page for page in PAGES if page.stem == "convnets")
    images = page_images(html_dir, convnets)
    assert len(images) >= 5 and sum(images.values()) > 100 * 1024


def labels_in(source):
    """Every label a page defines: targets, directive labels and names, figure names in
    code cells' metadata."""
    return (re.findall(r"^\(([^)]+)\)=\s*$", source, re.M)
            + re.findall(r"^\s*:(?:label|name):\s*(\S+)", source, re.M)
            + re.findall(r"^\s+name:\s*(\S+)", source, re.M))


def without_spaces(text):
    return "".join(text.split())


@pytest.mark.parametrize("page", PAGES, **ids)
def test_works_cited_are_listed_at_the_end(page, html_dir):
    """A page that cites works ends with a "References" section listing exactly those
    (each citation also links to its entry in the book's bibliography)."""
    soup = soup_of(html_dir, page)
    sections = soup.select("main section > h2")
    references = soup.find("section", id="references")
    citations = [a for a in soup.select("main a[href*='bibliography.html#']")
                 if not (references and a.find_parent("section", id="references"))]
    if not citations:
        assert references is None, f"{page.name}: a References section, but no citation"
        return
    assert references is not None, f"{page.name} cites works but has no References section"
    assert sections[-1].find_parent("section") is references, f"{page.name}: References is not last"
    cited = {without_spaces(a["title"]) for a in citations}  # the entry, as a tooltip
    listed = {without_spaces(item.get_text()) for item in references.select("li")}
    assert listed == cited, f"{page.name}: listed but not cited {listed - cited}, cited but not listed {cited - listed}"


@pytest.mark.parametrize("page", PAGES, **ids)
def test_labels_follow_the_scheme(page):
    """One scheme for sections, figures, equations, exercises and tables: see CONTRIBUTING.md."""
    source = page.read_text()
    front_matter_end = source.index("\n---", 4) if source.startswith("---") else 0
    bad = [label for label in labels_in(source[front_matter_end:]) if not LABEL.fullmatch(label)]
    assert bad == [], f"{page.name}: labels outside the scheme kind-words (CONTRIBUTING.md): {bad}"


def test_label_scheme_check_can_fail():
    assert labels_in("(sec:cnn)=\n:label: hand-ex-stride\n") == ["sec:cnn", "hand-ex-stride"]
    assert not LABEL.fullmatch("sec:cnn") and not LABEL.fullmatch("hand-ex-stride")
    assert LABEL.fullmatch("ex-hand-stride") and LABEL.fullmatch("fig-lenet")
