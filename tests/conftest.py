import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup
from jupyter_cache import get_cache
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import colab_cell  # noqa: E402

PAGES = colab_cell.executable_pages()
NOTEBOOKS = [page.with_suffix(".ipynb") for page in PAGES]
BIN = Path(sys.executable).parent
STRICT = ["-W", "-n", "--keep-going"]


def build_book(source, *extra):
    """Run a strict ``jupyter-book build`` of ``source``; return the finished process."""
    return subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(source), *STRICT, *extra],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )


@pytest.fixture(scope="session")
def html_dir():
    """The book built as the README says (cached execution: only changed pages rerun)."""
    # The Makefile's rule that clears the execution cache when the helpers change.
    subprocess.run(["make", "--no-print-directory", "-C", str(REPO_ROOT), "_build/.jupyter_cache"],
                   check=True)
    result = build_book(REPO_ROOT)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return REPO_ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def page(request, html_dir):
    """The built HTML of the page a test module names in its ``PAGE`` (e.g. "resnet")."""
    return BeautifulSoup((html_dir / "book" / f"{request.module.PAGE}.html").read_text(),
                         "html.parser")


def exercises_and_solutions(page):
    """A built page's exercise boxes, and its solutions (drop-downs, hidden by default)."""
    return page.select("div.exercise"), page.select("div.solution.dropdown")


def executed_in_build(notebook_path):
    """The page as the build executed it, with its outputs, from the execution cache.

    (MyST-NB's copy in _build/jupyter_execute loses its outputs when the page comes from
    the cache, so the cache itself is the reference.)"""
    page = jupytext.read(notebook_path.with_suffix(".md"))
    _, notebook = get_cache(REPO_ROOT / "_build" / ".jupyter_cache").merge_match_into_notebook(page)
    return notebook


@pytest.fixture(scope="session")
def colab_runs(tmp_path_factory):
    """Every page's notebook executed alone in an empty folder, as Google Colab runs it.

    A stand-in `google.colab` module makes the set-up cell act, and its download
    address points at a local copy of the repository's raw files: no network is used.
    Returns {page: (folder, executed notebook)}.
    """
    root = tmp_path_factory.mktemp("colab")
    fake = root / "fake-modules" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('"""Stand-in for Colab\'s module, for the tests."""\n')
    mirror = root / "raw-files"
    for relative in colab_cell.FILES_TO_FETCH:
        (mirror / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / relative, mirror / relative)
    env = {**os.environ, "PYTHONPATH": str(root / "fake-modules"),
           colab_cell.BASE_URL_VARIABLE: mirror.as_uri() + "/"}
    runs = {}
    for notebook_path in NOTEBOOKS:
        folder = root / notebook_path.stem
        folder.mkdir()
        shutil.copy(notebook_path, folder / notebook_path.name)  # the notebook alone
        notebook = nbformat.read(folder / notebook_path.name, as_version=4)
        # After the page, report where the helpers were imported from.
        notebook.cells.append(nbformat.v4.new_code_cell(
            "import notebook_utils, os\n"
            "print('helpers from', os.path.dirname(os.path.abspath(notebook_utils.__file__)))"
        ))
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute(env=env)
        runs[notebook_path.stem] = (folder, notebook)
    return runs
