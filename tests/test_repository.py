"""Launch links from the course's repository: `_config.yml`, or the clone's origin, or none."""

import re

import pytest
from bs4 import BeautifulSoup

from conftest import FORK_ORIGIN, REPO_ROOT, colab_cell, course, course_copy

LAUNCH_HOSTS = ("mybinder.org", "colab.research.google.com")


@pytest.mark.parametrize("origin", [
    "https://github.com/someone/cnn-course", "https://github.com/someone/cnn-course.git",
    "git@github.com:someone/cnn-course.git", "ssh://git@github.com/someone/cnn-course.git"])
def test_a_github_origin_gives_the_address(tmp_path, origin):
    folder = course_copy(tmp_path / "c", origin)
    assert course.github_repository(folder) == ("https://github.com/someone/cnn-course", "main")
    assert colab_cell.raw_base_url(folder) == "https://raw.githubusercontent.com/someone/cnn-course/main/"


def test_the_config_wins_and_is_checked(tmp_path):
    folder = course_copy(tmp_path / "c", "git@github.com:someone/cnn-course.git",
                         url="https://github.com/teacher/course")
    assert course.github_repository(folder) == ("https://github.com/teacher/course", "main")
    bad = course_copy(tmp_path / "bad", url="https://gitlab.com/teacher/course")
    with pytest.raises(ValueError, match="must be a GitHub address"):
        course.github_repository(bad)


@pytest.mark.parametrize("origin", [None, "https://gitlab.com/someone/cnn-course.git", "/srv/git/course"])
def test_no_github_repository_means_no_address(tmp_path, origin):
    folder = course_copy(tmp_path / "c", origin)
    assert course.github_repository(folder) is None
    cell = colab_cell.cell_source(folder)
    assert "github" not in cell and "OWNER" not in cell and "names no GitHub repository" in cell


def launch_links(soup):
    return [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith(
        tuple(f"https://{host}" for host in LAUNCH_HOSTS))]


def test_the_book_links_to_its_repository_or_to_nothing(html_dir):
    """The book built by the tests: as this clone's repository says."""
    soup = BeautifulSoup((html_dir / "book" / "convnets.html").read_text(), "html.parser")
    repository = course.github_repository(REPO_ROOT)
    if repository is None:
        assert launch_links(soup) == []
        assert not soup.select("a[href^='https://github.com']")
    else:
        slug = repository[0].removeprefix("https://github.com/")
        assert launch_links(soup) and all(slug in link for link in launch_links(soup))


def test_a_clone_of_a_github_fork_links_there_everywhere(fork_build):
    """Built in a copy whose origin is a fork on GitHub (FORK_ORIGIN), with the execution
    cache of the main build (nothing re-executes): every launch link, the Colab cell that
    `make notebooks` writes there, no placeholder anywhere."""
    folder, result = fork_build
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Executing notebook" not in result.stdout
    site = folder / "_build" / "html"
    soup = BeautifulSoup((site / "book" / "convnets.html").read_text(), "html.parser")
    assert launch_links(soup) == [
        "https://mybinder.org/v2/gh/someone/cnn-course/main?urlpath=lab/tree/book/convnets.ipynb",
        "https://colab.research.google.com/github/someone/cnn-course/blob/main/book/convnets.ipynb"]
    assert soup.find("a", href="https://github.com/someone/cnn-course")  # the repository button
    for path in [*site.rglob("*.html"), *site.rglob("*.ipynb"), *(folder / "book").glob("*.md")]:
        assert "OWNER/REPO" not in path.read_text(), path
    assert '"https://raw.githubusercontent.com/someone/cnn-course/main/"' in colab_cell.cell_source(folder)
    thebe = re.search(r'"repository_url": "([^"]+)"', (site / "book" / "convnets.html").read_text())
    assert thebe is None or thebe[1] == "https://github.com/someone/cnn-course"
