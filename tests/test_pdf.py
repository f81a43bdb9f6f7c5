"""Build the PDF book and check it with poppler's tools."""

import re
import subprocess

import pytest

from conftest import REPO_ROOT, build_book

ARTEFACTS = REPO_ROOT / "_build" / "test-artifacts"
CAPTIONS = [  # the start of every figure caption of the book
    "A colour photo (top) and its red, green and blue channels",
    "The LeNet architecture",
    "kernel sliding over a",
    "Max pooling with",
]


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


def test_page_count(pdf):
    assert 12 <= len(page_texts(pdf)) <= 30


def test_every_caption_and_no_unresolved_reference(pdf):
    text = " ".join(" ".join(page_texts(pdf)).split())
    for caption in CAPTIONS:
        assert caption in text
    assert "??" not in text
    for number in range(1, 5):
        assert f"Fig. {number}" in text
    for number in range(1, 4):
        assert f"({number})" in text  # equation numbers


def test_bibliography_and_lenet_summary(pdf):
    text = " ".join(" ".join(page_texts(pdf)).split())
    start = text.rindex("BIBLIOGRAPHY")
    for title in ["Gradient-based learning applied to document",  # LaTeX may hyphenate further
                  "InceptionTime", "Deep learning for time series classification",
                  "Data augmentation for time series classification"]:
        assert title in text[start:]
    assert "Total params: 61,706" in text


def images(pdf):
    rows = poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]
    return [row.split() for row in rows if row.split()[2] == "image"]


def test_at_least_one_embedded_image_per_figure(pdf):
    assert len(images(pdf)) >= len(CAPTIONS)


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
