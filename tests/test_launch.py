"""Launching the pages elsewhere: Colab (a notebook alone) and Binder (binder/ files)."""

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import colab_cell  # noqa: E402

PAGES = colab_cell.executable_pages()
NOTEBOOKS = [page.with_suffix(".ipynb") for page in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_first_code_cell_is_the_current_colab_setup(page):
    notebook = jupytext.read(page)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert first.source == colab_cell.cell_source(), f"run `make notebooks` to refresh {page.name}"
    assert "hide-cell" in first.metadata.get("tags", [])


def test_colab_cell_derives_its_address_from_the_config(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/cnn-course\n  branch: dev\n")
    assert colab_cell.raw_base_url(config) == "https://raw.githubusercontent.com/someone/cnn-course/dev/"
    config.write_text("repository:\n  url: https://gitlab.com/someone/cnn-course\n")
    with pytest.raises(ValueError, match="github.com/OWNER/REPO"):
        colab_cell.raw_base_url(config)
    assert colab_cell.pinned(["celluloid"]) == ["celluloid==0.2.0"]
    with pytest.raises(ValueError, match="pins no version"):
        colab_cell.pinned(["not-a-package"])


def run_notebook(path, env, cwd):
    notebook = nbformat.read(path, as_version=4)
    # After the page, report where the helpers were imported from.
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import notebook_utils, os\nprint('helpers from', os.path.dirname(os.path.abspath(notebook_utils.__file__)))"
    ))
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env)
    return notebook


@pytest.fixture(scope="module")
def colab_environment(tmp_path_factory):
    """A stand-in `google.colab` module, and a local copy of the repository's raw files."""
    root = tmp_path_factory.mktemp("colab")
    fake = root / "fake-modules" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('"""Stand-in for Colab\'s module, for the tests."""\n')
    mirror = root / "raw-files"
    for relative in colab_cell.FILES_TO_FETCH:
        (mirror / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / relative, mirror / relative)
    env = {**os.environ,
           "PYTHONPATH": str(root / "fake-modules"),
           colab_cell.BASE_URL_VARIABLE: mirror.as_uri() + "/",
           "no_proxy": "*", "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    return root, env


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_alone_as_on_colab(notebook, colab_environment):
    root, env = colab_environment
    folder = root / notebook.stem
    folder.mkdir()
    shutil.copy(notebook, folder / notebook.name)  # the notebook alone, as Colab gets it
    executed = run_notebook(folder / notebook.name, env, folder)
    for relative in colab_cell.FILES_TO_FETCH:
        assert (folder / relative).is_file(), f"{relative} was not fetched"
    last_output = executed.cells[-1].outputs[0]["text"]
    assert last_output.strip() == f"helpers from {folder}"


def test_colab_cell_does_nothing_elsewhere(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(colab_cell.cell_source())])
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory):
    """A fresh virtual environment built from exactly the files Binder reads."""
    location = tmp_path_factory.mktemp("binder") / "venv"
    venv.create(location, with_pip=True)
    python = location / "bin" / "python"
    env = {**os.environ, "PATH": f"{location / 'bin'}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
                   cwd=REPO_ROOT, env=env, check=True)
    subprocess.run(["bash", "binder/postBuild"], cwd=REPO_ROOT, env=env, check=True)
    return location, env


def test_binder_environment_opens_markdown_pages_as_notebooks(binder_venv):
    location, _ = binder_venv
    assert (location / "share/jupyter/labextensions/jupyterlab-jupytext").is_dir()
    overrides = (location / "share/jupyter/lab/settings/overrides.json").read_text()
    assert '"markdown": "Jupytext Notebook"' in overrides


def test_binder_environment_executes_every_page_from_the_book_folder(binder_venv):
    """nbmake, in the Binder environment, runs each page's notebook inside book/."""
    location, env = binder_venv
    result = subprocess.run(
        [str(location / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=",
         "--nbmake", "--nbmake-timeout=600", "-q", *[n.name for n in NOTEBOOKS]],
        cwd=REPO_ROOT / "book", env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert f"{len(NOTEBOOKS)} passed" in result.stdout
