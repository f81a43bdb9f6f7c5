"""No broken internal link, anchor or image anywhere in the built site."""

from urllib.parse import unquote, urlparse

from bs4 import BeautifulSoup

ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src", "source": "src",
              "iframe": "src"}


def internal_targets(page, soup):
    for tag, attribute in ATTRIBUTES.items():
        for element in soup.find_all(tag):
            target = element.get(attribute)
            if not target or target.startswith(("mailto:", "javascript:", "data:")):
                continue
            parsed = urlparse(target)
            if parsed.scheme or parsed.netloc:  # external: not checked offline
                continue
            yield tag, target, parsed


def ids_in(path, cache):
    if path not in cache:
        soup = BeautifulSoup(path.read_text(), "html.parser")
        cache[path] = {element["id"] for element in soup.find_all(id=True)} | {
            element["name"] for element in soup.find_all("a", attrs={"name": True})}
    return cache[path]


def broken_links(site):
    broken, anchors = [], {}
    # _static holds the theme's Jinja template fragments, not pages.
    for page in sorted(p for p in site.rglob("*.html") if "_static" not in p.parts):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for tag, target, parsed in internal_targets(page, soup):
            path = page if not parsed.path else (page.parent / unquote(parsed.path)).resolve()
            if path.is_dir():
                path = path / "index.html"
            where = f"{page.relative_to(site)}: <{tag}> {target}"
            if not path.is_file():
                # The PDF is copied into the site by `make pdf`, after the HTML build.
                if path.name != "cnn-course.pdf":
                    broken.append(f"{where} (no such file)")
            elif parsed.fragment and path.suffix == ".html" and unquote(parsed.fragment) not in ids_in(path, anchors):
                broken.append(f"{where} (no such anchor)")
    return broken


def test_every_internal_link_anchor_and_image_resolves(html_dir):
    assert broken_links(html_dir) == []


def test_the_checker_finds_broken_links(tmp_path):
    (tmp_path / "page.html").write_text(
        '<a id="here" href="#here">ok</a> <a href="#nowhere">bad anchor</a>'
        ' <img src="missing.png"> <a href="other.html#top">bad file</a>'
        ' <a href="https://example.org/">external</a>')
    assert broken_links(tmp_path) == [
        "page.html: <a> #nowhere (no such anchor)",
        "page.html: <a> other.html#top (no such file)",
        "page.html: <img> missing.png (no such file)",
    ]
