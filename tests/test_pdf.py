"""Build the PDF book and check it with poppler's tools."""

import datetime
import re
import subprocess
import sys
from itertools import groupby

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from conftest import EXECUTABLE_PAGES, REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "sphinx_ext"))
import course_latex  # noqa: E402

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
def pdf(html_dir, builds_from_cache):
    """The PDF book, built with the HTML build's execution cache: nothing re-executes."""
    result = builds_from_cache.result("pdf")
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
    # 7 to 15 pages of paper per executable page of the book (the title, the contents and
    # the bibliography included): fewer means that content went missing, more that an
    # output or a figure ran away. The bound follows _toc.yml as pages are added.
    chapters = len(EXECUTABLE_PAGES)
    assert 7 * chapters <= len(page_texts(pdf)) <= 15 * chapters


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


def bibliography_entries():
    """{key: (authors, year, title)} of references.bib: the authors as the alpha style
    sorts them (each one's surname, then given names), the title as LaTeX prints it (no
    braces), lower case."""
    entries = parse_file(str(REPO_ROOT / "references.bib")).entries
    return {key: (" / ".join(" ".join(p.prelast_names + p.last_names + p.first_names + p.middle_names)
                             for p in e.persons["author"]),
                  e.fields["year"], re.sub(r"[{}]", "", e.fields["title"]).lower())
            for key, e in entries.items()}


def cited_keys():
    """The keys of every {cite:p} and {cite:t} role of the book's pages."""
    keys = set()
    for page in (REPO_ROOT / "book").glob("*.md"):
        for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", page.read_text()):
            keys.update(key.strip() for key in group.split(","))
    return keys


def split_at_bibliography(pdf):
    """The book's text before its bibliography chapter, and that chapter (the last)."""
    texts = page_texts(pdf)
    start = min(i for i, text in enumerate(texts) if re.search(r"^\s*BIBLIOGRAPHY\s*$", text, re.M))
    return " ".join(" ".join(texts[:start]).split()), " ".join(" ".join(texts[start:]).split())


def test_one_sorted_bibliography_whose_labels_the_text_cites(pdf):
    body, bibliography = split_at_bibliography(pdf)
    entries = bibliography_entries()
    assert cited_keys() == set(entries)  # every entry cited, no unknown key
    # Each work is listed once, and the list is sorted by first author, then year.
    positions = {}
    for key, (_, _, title) in entries.items():
        found = [m.start() for m in re.finditer(re.escape(unhyphenated(title)), unhyphenated(bibliography))]
        assert len(found) == 1, f"{key}: listed {len(found)} times"
        positions[key] = found[0]
    in_print_order = sorted(entries, key=positions.get)
    assert in_print_order == sorted(entries, key=lambda k: (entries[k][0].lower(), entries[k][1]))
    # One label per entry, and the text cites with these labels and no other form.
    # (A label starts with the authors' initials, lower case for a particle: vL17.)
    labels = re.findall(r"\[([A-Za-z][A-Za-z+]*\d{2}[a-z]?)\]", bibliography)
    assert len(labels) == len(set(labels)) == len(entries), labels
    label = re.compile(r"[A-Za-z][A-Za-z+]*\d{2}[a-z]?")
    cited = [item.strip() for group in re.findall(r"\[([^\[\]]*)\]", body)
             for item in group.split(",") if label.fullmatch(item.strip())]
    assert set(cited) == set(labels)
    assert not re.search(r"\[(19|20)\d\d\]", body), "an author-year citation is left"


def test_lenet_summary(pdf):
    text = " ".join(" ".join(page_texts(pdf)).split())
    assert "Total params: 61,706" in text


def test_no_empty_references_section_and_one_bibliography_chapter(pdf):
    lines = [line.strip() for text in page_texts(pdf) for line in text.splitlines()]
    # A chapter's References (the works it cites) opens with a work, not another heading.
    headings = [i for i, line in enumerate(lines) if re.fullmatch(r"\d+\.\d+ References", line)]
    assert len(headings) == sum(":list: bullet" in page.read_text() for page in EXECUTABLE_PAGES)
    for i in headings:
        first = next(line for line in lines[i + 1:] if line)
        assert first.startswith("•"), f"{lines[i]} is followed by {first!r}, not a work"
    # The contents list the bibliography once (with its page number).
    # (A page of the bibliography itself has it in its running header, with no number
    # before it.)
    assert len([line for line in lines if re.fullmatch(r"\d+\s+Bibliography\s+\d+", line)]) == 1


def test_sub_figures_are_lettered_once(pdf):
    text = " ".join(" ".join(page_texts(pdf)).split())
    assert re.search(r"\(a\) No padding", text)
    assert not re.search(r"\(([a-h])\)\s*\(\1\)", text)


def test_title_page_is_dated_by_the_last_commit(pdf):
    date = datetime.date.fromisoformat(subprocess.run(
        ["git", "-C", str(REPO_ROOT), "log", "-1", "--format=%cs"],
        capture_output=True, text=True, check=True).stdout.strip())
    title_page = " ".join(page_texts(pdf)[0].split())
    assert f"{date.day} {date.strftime('%B')} {date.year}" in title_page
    assert "1970" not in title_page


def test_book_date_without_git(tmp_path, monkeypatch):
    # No repository: SOURCE_DATE_EPOCH when it is a real date, else the day of the build.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert course_latex.book_date(tmp_path) == datetime.date(2026, 1, 1)
    for unset in ["0", "", "soon"]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", unset)
        assert course_latex.book_date(tmp_path) == datetime.date.today()
    assert course_latex.as_text(datetime.date(2026, 3, 7)) == "7 March 2026"


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
