"""Build the HTML book and check the structure of the core chapter's two pages.

What the pages compute (shapes, parameter counts, errors) is checked by hidden cells
in the pages themselves; these tests check what only the built HTML shows.
"""

import os
import re
import shutil
import sys

import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.config import Config, correct_copyright_year

from conftest import REPO_ROOT, build_book

sys.path.insert(0, str(REPO_ROOT / "sphinx_ext"))
import course_html  # noqa: E402

COPYRIGHT_YEAR = str(yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["copyright"])


@pytest.fixture(scope="module")
def chapter(html_dir):
    """The core chapter's first page: convolutions, from time series to layers."""
    return BeautifulSoup((html_dir / "book" / "convnets.html").read_text(), "html.parser")


@pytest.fixture(scope="module")
def lenet_page(html_dir):
    """Its second page: pooling, receptive fields and LeNet."""
    return BeautifulSoup((html_dir / "book" / "pooling_lenet.html").read_text(), "html.parser")


def local_image(html_dir, img):
    path = (html_dir / "book" / img["src"]).resolve()
    assert path.is_file(), f"{img['src']} is referenced but was not written"
    return path


def test_equations_are_numbered_and_referenced(chapter):
    for number, label in enumerate(["eq-conv1d", "eq-conv2d", "eq-conv-layer"], start=1):
        equation = chapter.find(id=f"equation-{label}")
        assert equation is not None, label
        assert f"({number})" in equation.get_text()
        references = chapter.select(f'a.reference.internal[href="#equation-{label}"]')
        assert references and references[0].get_text(strip=True) == f"({number})"


def test_code_outputs_are_vector_figures_and_photographs_jpeg(chapter, lenet_page, html_dir):
    outputs = chapter.select(".cell_output img")
    figures = [img for img in outputs if img["src"].endswith(".svg")]
    # smoothing plot and 9x9 filter here, the receptive field of LeNet on the next page
    lenet_page_figures = lenet_page.select(".cell_output img")
    assert len(figures) == 2 and len(lenet_page_figures) == 1
    for img in figures + lenet_page_figures:
        assert img["src"].endswith(".svg")
        assert local_image(html_dir, img).read_text().lstrip().startswith("<?xml")
    # The cat's channels and the blurred cat: photographs, shown at the size of an SVG.
    photographs = [img for img in outputs if img["src"].endswith(".jpg")]
    assert [img.find_parent(id=True)["id"] for img in photographs] == ["fig-cat", "fig-blurred-cat"]
    for img in photographs:
        assert local_image(html_dir, img).read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG
        width = re.search(r"width: (\d+)px", img["style"])
        assert width and 400 < int(width[1]) < 620, img.get("style")


def test_smoothing_demo_has_a_legend(chapter, html_dir):
    plot = chapter.select(".cell_output img")[0]
    svg = local_image(html_dir, plot).read_text()
    assert 'id="legend_1"' in svg


def test_cat_figure_has_caption_label_and_alt(chapter, html_dir):
    figure = chapter.find(id="fig-cat")
    assert figure is not None and figure.name == "figure"
    assert "Fig. 1" in figure.find("figcaption").get_text()
    img = figure.find("img")
    assert "cat" in img["alt"] and not img["alt"].endswith((".svg", ".png"))
    local_image(html_dir, img)
    assert chapter.select('a.reference.internal[href="#fig-cat"]')


def test_blurred_cat_is_a_figure_referenced_by_number(chapter, html_dir):
    figure = chapter.find(id="fig-blurred-cat")
    assert figure is not None and figure.name == "figure"
    local_image(html_dir, figure.find("img"))
    assert chapter.select('a.reference.internal[href="#fig-blurred-cat"]')


def test_lenet_figure(lenet_page, html_dir):
    figure = lenet_page.find(id="fig-lenet")
    img = figure.find("img")
    assert img["src"].endswith("lenet.png")
    # Shrunk to the column (a third of its size on a phone), it opens at full size.
    assert img.parent.name == "a" and img.parent["href"] == img["src"]
    assert "C5 with 120 units" in img["alt"] and "F5" not in img["alt"]
    assert "C5" in figure.find("figcaption").get_text()
    local_image(html_dir, img)


def test_tips(chapter, lenet_page):
    def tips(page):
        return [t.get_text(" ", strip=True) for t in page.select("div.admonition.tip")]

    assert any('Conv2D(filters=6, kernel_size=5, padding="valid", activation="relu")' in t
               for t in tips(chapter))
    assert any("MaxPool2D(pool_size=2)" in t and "AvgPool2D(pool_size=2)" in t
               for t in tips(lenet_page))


def test_padding_admonition_holds_the_two_subfigures(chapter, html_dir):
    admonition = [a for a in chapter.select("div.admonition") if "Padding" in a.get_text()][0]
    figure = admonition.find(id="fig-padding")
    assert figure is not None
    images = figure.find_all("img")
    assert [img["src"].rsplit("/", 1)[-1] for img in images] == ["padding_valid.gif", "padding_same.gif"]
    for img in images:
        assert local_image(html_dir, img).read_bytes()[:6] == b"GIF89a"
    assert chapter.select('a.reference.internal[href="#fig-padding"]')


def test_pooling_figure_is_a_rendered_tikz_svg(lenet_page, html_dir):
    chapter = lenet_page
    img = chapter.find(id="fig-pooling").find_next("img", src=re.compile(r"tikz-[0-9a-f]+\.svg$"))
    assert img is not None
    assert "max" in img["alt"]
    svg = local_image(html_dir, img).read_text()
    assert "<svg" in svg and svg.count("<path") > 10
    assert chapter.select('a.reference.internal[href="#fig-pooling"]')
    figure = img.find_parent(["figure", "div"], class_=["figure", "align-center"])
    assert figure.select_one(".caption-number").get_text(strip=True).startswith("Fig.")


def test_landing_page_links_to_the_pdf(html_dir):
    intro = BeautifulSoup((html_dir / "book" / "intro.html").read_text(), "html.parser")
    link = intro.find("a", href="../cnn-course.pdf")
    assert link is not None and "PDF" in link.get_text()


BROKEN_PAGES = {
    "missing figure": "![A figure](../img/does_not_exist.png)\n",
    "unknown citation": "As shown by {cite:p}`nobody2099`.\n",
    "unknown cross-reference": "See {numref}`fig-nowhere`.\n",
}


@pytest.mark.parametrize("problem", BROKEN_PAGES)
def test_build_fails_on_a_dropped_element(tmp_path, problem):
    book = tmp_path / "book"
    (book / "book").mkdir(parents=True)
    for name in ["_config.yml", "_toc.yml", "references.bib"]:
        shutil.copy(REPO_ROOT / name, book / name)
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (book / "book" / "intro.md").write_text(f"# Broken page\n\n{BROKEN_PAGES[problem]}")
    result = build_book(book)
    assert result.returncode != 0, f"a {problem} should fail the build"


def test_every_footer_carries_the_configured_copyright_year(html_dir):
    """Not the 1970 of the pages' SOURCE_DATE_EPOCH=0 (see sphinx_ext/course_html.py)."""
    pages = sorted((html_dir / "book").glob("*.html")) + [html_dir / "genindex.html"]
    assert len(pages) > 3
    for page in pages:
        copyright = BeautifulSoup(page.read_text(), "html.parser").select_one(".copyright")
        assert copyright is not None, f"{page.name} has no copyright line"
        text = " ".join(copyright.get_text().split())
        assert text == f"© Copyright {COPYRIGHT_YEAR}.", f"{page.name}: {text}"


def test_a_zero_source_date_does_not_change_the_copyright_year(monkeypatch):
    """The environment of a build started from a process that called ``setup()``."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    config = Config({"copyright": COPYRIGHT_YEAR})
    course_html.ignore_zero_source_date(None, config)
    correct_copyright_year(None, config)
    assert config.copyright == COPYRIGHT_YEAR
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 1 January 2026: a real date stays
    course_html.ignore_zero_source_date(None, config)
    assert os.environ["SOURCE_DATE_EPOCH"] == "1767225600"


def test_going_further_leads_to_every_other_lesson(chapter, lenet_page):
    """The core chapter's first page leads to its second, whose last section points to
    every other page of _toc.yml (its first page included)."""
    from conftest import EXECUTABLE_PAGES

    next_section = chapter.find("section", id="next")
    assert {a["href"].split("#")[0] for a in next_section.select("a.reference.internal")} == {
        "pooling_lenet.html"}
    section = lenet_page.find("section", id="going-further")
    linked = {a["href"].split("#")[0] for a in section.select("a.reference.internal")}
    expected = {f"{page.stem}.html" for page in EXECUTABLE_PAGES if page.stem != "pooling_lenet"}
    assert linked == expected, f"missing {expected - linked}, extra {linked - expected}"
