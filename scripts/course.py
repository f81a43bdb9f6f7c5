"""What every tool needs to know about the course: its pages and how it is built.

The pages come from the one place that lists them, `_toc.yml`. The Makefile, the tests,
the benchmark and the Colab cell writer ask this module:

    python scripts/course.py pages         the executable pages, one a line
    python scripts/course.py build-flags   the flags of the strict build
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The strict build: any warning (a missing figure, citation or reference) fails it, and
# every problem is reported before it stops.
BUILD_FLAGS = ["-W", "-n", "--keep-going"]


def _files_in(entries):
    for entry in entries or []:
        if "file" in entry:
            yield entry["file"]
        yield from _files_in(entry.get("sections"))
        yield from _files_in(entry.get("chapters"))
        for part in entry.get("parts", []):
            yield from _files_in(part.get("chapters"))


def toc_pages(root=ROOT):
    """Every page of the table of contents, in reading order, as paths of their sources."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    names = [toc["root"], *_files_in(toc.get("chapters")), *_files_in(toc.get("sections"))]
    for part in toc.get("parts", []):
        names.extend(_files_in(part.get("chapters")))
    pages = []
    for name in names:
        source = Path(root) / (name if name.endswith((".md", ".ipynb")) else f"{name}.md")
        if not source.is_file():
            raise FileNotFoundError(f"_toc.yml lists {name!r}, but {source} does not exist")
        pages.append(source)
    return pages


def is_executable(page):
    """A page with a kernel (a MyST notebook) runs code; a plain Markdown page does not."""
    return "\nkernelspec:" in Path(page).read_text()


def executable_pages(root=ROOT):
    return [page for page in toc_pages(root) if is_executable(page)]


if __name__ == "__main__":
    if sys.argv[1:] == ["pages"]:
        print("\n".join(str(page.relative_to(ROOT)) for page in executable_pages()))
    elif sys.argv[1:] == ["build-flags"]:
        print(" ".join(BUILD_FLAGS))
    else:
        sys.exit(f"usage: {sys.argv[0]} pages | build-flags")
