"""Prose errors that a reader notices, over the text of every built page: what the
page shows (text, code, outputs, captions) and what a screen reader reads (alt texts)."""

import re

import pytest
from bs4 import BeautifulSoup

from conftest import REPO_ROOT

# Words that end in "s" and may follow the number 1 without being a plural noun:
# singular nouns, and verbs whose subject is a value ("a stride of 1 keeps ..."). Words
# that are also plural nouns ("sets", "changes", "halves") stay out: "1 sets" is wrong.
NOT_PLURAL = {
    # singular nouns and other words ending in s
    "axis", "bias", "class", "loss", "pass", "process", "series", "species", "status",
    "analysis", "basis", "focus", "radius", "plus", "minus", "times", "as", "is", "was",
    "has", "does", "this", "thus", "its", "less", "across", "always", "towards",
    # verbs after a value
    "means", "gives", "keeps", "makes", "becomes", "stays", "remains", "equals",
    "shrinks", "grows",
}

# A count of 1 followed by a word in -s: not a decimal (0.1 s), not part of 11 or 1,000.
COUNT_OF_ONE = re.compile(r"(?<![\w.,])1 ([a-z]+s)\b")


def visible_text(html):
    """The text a reader of the page meets: the article, with its alt texts, without
    scripts, styles and the navigation."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup.body
    for hidden in article.select("script, style"):
        hidden.decompose()
    for image in article.find_all("img", alt=True):
        image.replace_with(f" {image['alt']} ")
    return article.get_text(" ")


def wrong_plurals(text):
    """Every "1 <plural noun>" of ``text``, with some context."""
    return [text[max(m.start() - 30, 0):m.end() + 10].replace("\n", " ")
            for m in COUNT_OF_ONE.finditer(text) if m.group(1) not in NOT_PLURAL]


@pytest.mark.parametrize("text, expected", [
    ("The network made 1 errors on the test set.", ["1 errors"]),
    ("1 mistakes out of 360", ["1 mistakes"]),
    ("Dense: 1 parameters, 2 layers", ["1 parameters"]),
    ("trained for 1 epochs\n", ["1 epochs"]),
    ("1 sets of weights, 1 changes", ["1 sets", "1 changes"]),
    ("(1 filters)", ["1 filters"]),
    ("1 error, 1 mistake, 1 class, 1 loss, 1 pass, 1 bias", []),
    ("a stride of 1 keeps the length; 11 errors; 21 errors; 0.1 seconds; 1,001 steps", []),
    ("version 3.1 samples", []),
])
def test_the_plural_check_itself(text, expected):
    found = wrong_plurals(text)
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found)), found


def built_pages(html_dir):
    pages = sorted((html_dir / "book").glob("*.html"))
    sources = sorted((REPO_ROOT / "book").glob("*.md"))
    assert len(pages) >= len(sources) >= 6  # every page of the book was built
    return pages


def test_no_count_of_one_with_a_plural_noun(html_dir):
    found = {page.name: wrong_plurals(visible_text(page.read_text())) for page in built_pages(html_dir)}
    assert not any(found.values()), found


def test_no_doubled_sub_figure_letters(html_dir):
    for page in built_pages(html_dir):
        text = " ".join(visible_text(page.read_text()).split())
        assert not re.search(r"\(([a-h])\)\s*\(\1\)", text), page.name
