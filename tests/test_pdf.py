"""Build the PDF book and check it with poppler's tools."""

import re
import subprocess
from itertools import groupby

import pytest
from bs4 import BeautifulSoup

from conftest import REPO_ROOT, build_book

ARTEFACTS = REPO_ROOT / "_build" / "test-artifacts"


def caption_openings(html_dir):
    """A run of plain words from every figure caption of the HTML book: the first three
    to six words in a row without a formula or a number, which LaTeX typesets
    differently."""
    openings = []
    for page in sorted((html_dir / "book").glob("*.html")):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        numbers = [n for n in soup.select("span.caption-number") if n.get_text().startswith("Fig.")]
        for number in numbers:  # MyST figures and TikZ figures alike
            caption = number.find_next_sibling("span", class_="caption-text")
            words = caption.get_text(" ", strip=True).split()
            runs = [list(run) for plain, run in
                    groupby(words, key=lambda w: bool(re.fullmatch(r"[A-Za-z][A-Za-z,;:'-]*", w)))
                    if plain]
            run = next((r for r in runs if len(r) >= 3), None)
            assert run, f"{page.name}: no plain words in the caption {caption.get_text()!r}"
            openings.append(" ".join(run[:6]))
    return openings


def poppler(*command):
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdf():
    result = build_book(REPO_ROOT, "--builder", "pdflatex")
    assert result.returncode == 0, f"PDF build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    path = REPO_ROOT / "_build" / "latex" / "cnn-course.pdf"
    assert path.is_file()
    return path


def page_texts(pdf):
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(pdf))).group(1))
    return [poppler("pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-")
            for n in range(1, pages + 1)]


def unhyphenated(text):  # LaTeX breaks words at the end of a line ("docu- ment")
    return re.sub(r"-\s*", "", " ".join(text.split())).lower()


def test_page_count(pdf):
    assert 35 <= len(page_texts(pdf)) <= 60  # five pages of the book, 45 pages of paper


def test_every_caption_and_no_unresolved_reference(pdf, html_dir):
    text = " ".join(" ".join(page_texts(pdf)).split())
    openings = caption_openings(html_dir)
    assert len(openings) >= 17
    for opening in openings:
        assert unhyphenated(opening) in unhyphenated(text), opening
    assert "??" not in text
    for number in range(1, len(openings) + 1):
        assert f"Fig. {number}" in text
    for number in range(1, 6):
        assert f"({number})" in text  # equation numbers


def test_bibliography_and_lenet_summary(pdf):
    text = " ".join(" ".join(page_texts(pdf)).split())
    start = text.rindex("BIBLIOGRAPHY")
    for title in ["Gradient-based learning applied to document recognition",
                  "InceptionTime: Finding AlexNet for time series classification",
                  "Deep learning for time series classification: a review",
                  "Data augmentation for time series classification",
                  "Scaling down deep learning",
                  "A guide to convolution arithmetic for deep learning",
                  "Deep residual learning for image recognition",
                  "Batch normalization: Accelerating deep network training"]:
        assert unhyphenated(title) in unhyphenated(text[start:]), title
    assert "Total params: 61,706" in text


def images(pdf):
    rows = poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]
    return [row.split() for row in rows if row.split()[2] == "image"]


def test_at_least_one_embedded_image_per_figure(pdf, html_dir):
    assert len(images(pdf)) >= len(caption_openings(html_dir))


def test_no_code_line_runs_off_the_page(pdf):
    # pdftotext -bbox gives each word's position; none may pass the right page edge.
    xml = poppler("pdftotext", "-bbox", str(pdf), "-")
    page_width = float(re.search(r'<page width="([\d.]+)"', xml).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', xml)]
    assert max(right_edges) <= page_width - 36  # half an inch of margin at least


def render_page(pdf, page, name):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / name
    poppler("pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
            str(pdf), str(target))
    return target.with_suffix(".png")


def test_pooling_figure_and_animation_strip_are_rendered(pdf):
    texts = page_texts(pdf)
    pooling_page = next(i for i, t in enumerate(texts, 1) if "Max pooling with" in t)
    # The key-frame strip is the one 1280x800 image (2x2 frames of the animation).
    strip_page = next(int(row[0]) for row in images(pdf) if row[3:5] == ["1280", "800"])
    assert "Translation equivariance" in texts[strip_page - 1] + texts[strip_page - 2]
    for page, name in [(pooling_page, "pdf-pooling-page"), (strip_page, "pdf-animation-strip-page")]:
        png = render_page(pdf, page, name)
        assert png.stat().st_size > 20_000  # a page with a figure, not a blank one
