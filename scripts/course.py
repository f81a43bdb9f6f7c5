"""What every tool needs to know about the course: its pages and how it is built.

The pages come from the one place that lists them, `_toc.yml`. The Makefile, the tests,
the benchmark and the Colab cell writer ask this module:

    python scripts/course.py pages         the executable pages, one a line
    python scripts/course.py build-flags   the flags of the strict build
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The strict build: any warning (a missing figure, citation or reference) fails it, and
# every problem is reported before it stops.
BUILD_FLAGS = ["-W", "-n", "--keep-going"]
# What `_config.yml` says when it names no repository yet.
PLACEHOLDER_REPOSITORY = "https://github.com/OWNER/REPO"
GITHUB_ADDRESS = re.compile(
    r"(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)([\w.-]+)/([\w.-]+?)(?:\.git)?/?")


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


def is_training_page(page):
    """A page that trains a network (calls Keras's ``fit``): its budget is 60 s, not 30,
    and its claims about results are the ones a seed or a CPU can move."""
    return ".fit(" in Path(page).read_text()


def executable_pages(root=ROOT):
    return [page for page in toc_pages(root) if is_executable(page)]


def github_repository(root=ROOT):
    """The course's GitHub repository, as (https address, branch), or None.

    An address in `_config.yml` wins; where it holds the placeholder, the address of the
    clone's `origin` remote, when that is on GitHub (https or ssh form)."""
    import yaml

    config = yaml.safe_load((Path(root) / "_config.yml").read_text()).get("repository") or {}
    url, branch = (config.get("url") or "").strip(), config.get("branch") or "main"
    if url and url != PLACEHOLDER_REPOSITORY:
        match = GITHUB_ADDRESS.fullmatch(url)
        if not match:
            raise ValueError(f"repository.url in _config.yml must be a GitHub address, "
                             f"https://github.com/OWNER/REPO, got {url!r}")
        return f"https://github.com/{match[1]}/{match[2]}", branch
    origin = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"],
                            capture_output=True, text=True)
    match = GITHUB_ADDRESS.fullmatch(origin.stdout.strip()) if origin.returncode == 0 else None
    return (f"https://github.com/{match[1]}/{match[2]}", branch) if match else None


if __name__ == "__main__":
    if sys.argv[1:] == ["pages"]:
        print("\n".join(str(page.relative_to(ROOT)) for page in executable_pages()))
    elif sys.argv[1:] == ["build-flags"]:
        print(" ".join(BUILD_FLAGS))
    else:
        sys.exit(f"usage: {sys.argv[0]} pages | build-flags")
