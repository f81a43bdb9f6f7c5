"""Launching the pages elsewhere: Colab (a notebook alone) and Binder (binder/ files)."""

import os
import subprocess
import venv

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import NOTEBOOKS, PAGES, REPO_ROOT, colab_cell


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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_alone_as_on_colab(notebook, colab_runs):
    folder, executed = colab_runs[notebook.stem]
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


@pytest.mark.installs_packages
def test_binder_environment_opens_markdown_pages_as_notebooks(binder_venv):
    location, _ = binder_venv
    assert (location / "share/jupyter/labextensions/jupyterlab-jupytext").is_dir()
    overrides = (location / "share/jupyter/lab/settings/overrides.json").read_text()
    assert '"markdown": "Jupytext Notebook"' in overrides


@pytest.mark.installs_packages
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
