"""One bibliography for the whole book, on its own page, sorted; the pages cite into it
with its labels."""

import re

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from conftest import REPO_ROOT


def soup(path):
    return BeautifulSoup(path.read_text(), "html.parser")


@pytest.fixture(scope="module")
def bibliography(html_dir):
    """The bibliography page's entries, in order: (id, label, text)."""
    page = soup(html_dir / "book" / "bibliography.html")
    return [(entry["id"], entry.select_one("span.label").get_text("", strip=True).strip("[]"),
             " ".join(entry.get_text(" ").split()))
            for entry in page.select("div.citation")]


def cite_roles(page_source):
    """The keys of each {cite:p} and {cite:t} role of a page's source, role by role."""
    return [[key.strip() for key in group.split(",")]
            for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", page_source)]


def test_the_bibliography_is_the_last_page_and_the_only_one(html_dir):
    toc = (REPO_ROOT / "_toc.yml").read_text().split()
    assert toc[-1] == "book/bibliography"
    for page in (html_dir / "book").glob("*.html"):
        if page.name != "bibliography.html":
            assert not soup(page).select("div.citation"), f"{page.name} has a bibliography"
    # Other pages list the works they cite as a plain list (see CONTRIBUTING.md), which
    # is no target for citations: every citation links to the one bibliography.
    local_list = re.compile(r"^[`:]{3,}\{bibliography\}\n:filter: docname in docnames\n:list: bullet\n", re.M)
    for source in (REPO_ROOT / "book").glob("*.md"):
        text = source.read_text()
        directives = re.findall(r"^[`:]{3,}\{bibliography\}", text, re.M)
        if source.name == "bibliography.md":
            assert len(directives) == 1 and not local_list.search(text)
        else:
            assert len(directives) == len(local_list.findall(text)) <= 1, source.name
        assert ":keyprefix:" not in text, source.name


def test_every_work_listed_once_sorted_by_authors_and_year(bibliography):
    entries = parse_file(str(REPO_ROOT / "references.bib")).entries
    labels = [label for _, label, _ in bibliography]
    assert len(labels) == len(set(labels)) == len(entries)
    order = []
    for _, _, text in bibliography:
        matches = [key for key, entry in entries.items()
                   if re.sub(r"[{}]", "", entry.fields["title"]).lower() in text.lower()]
        assert len(matches) == 1, text
        order.append(matches[0])

    def authors_and_year(key):
        # pybtex's author_year_title order (the alpha style's): every author's surname,
        # then given names, then the year.
        names = [" ".join(p.prelast_names + p.last_names + p.first_names + p.middle_names)
                 for p in entries[key].persons["author"]]
        return " / ".join(names).lower(), entries[key].fields["year"]

    assert order == sorted(order, key=authors_and_year)


def test_every_citation_links_to_its_entry_with_its_label(html_dir, bibliography):
    label_of = {entry_id: label for entry_id, label, _ in bibliography}
    cited_ids = set()
    for source in sorted((REPO_ROOT / "book").glob("*.md")):
        keys = [key for role in cite_roles(source.read_text()) for key in role]
        page = soup(html_dir / "book" / source.with_suffix(".html").name)
        links = page.select('span.bibtex-citation a[href^="bibliography.html#"]')
        assert len(links) == len(keys), source.name  # one link per key cited
        for link in links:
            entry_id = link["href"].split("#")[1]
            assert link.get_text(strip=True) == label_of[entry_id]
            # The label in square brackets (with the others of the same citation), as
            # in the list; no author-year form.
            assert re.search(r"\[(?:[^\]]*,)?" + re.escape(label_of[entry_id]) + r"(?:,[^\]]*)?\]",
                             link.parent.get_text("", strip=True)), link.parent.get_text("", strip=True)
            cited_ids.add(entry_id)
    assert cited_ids == set(label_of)  # every work listed is cited somewhere
