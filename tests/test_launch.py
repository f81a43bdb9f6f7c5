"""Launching the pages elsewhere: Colab (a notebook alone) and Binder (binder/ files)."""

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import BINDER_ENV, EXECUTABLE_PAGES, NOTEBOOKS, colab_cell


@pytest.mark.parametrize("page", EXECUTABLE_PAGES, ids=lambda p: p.name)
def test_first_code_cell_is_the_current_colab_setup(page):
    notebook = jupytext.read(page)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert first.source == colab_cell.cell_source(), f"run `make notebooks` to refresh {page.name}"
    assert "hide-cell" in first.metadata.get("tags", [])


def test_colab_cell_installs_the_pinned_versions():
    # Its address comes from the course's repository: tests/test_repository.py.
    assert colab_cell.pinned(["celluloid"]) == ["celluloid==0.2.0"]
    with pytest.raises(ValueError, match="pins no version"):
        colab_cell.pinned(["not-a-package"])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_alone_as_on_colab_in_the_binder_environment(notebook, binder_runs):
    folder, executed = binder_runs[notebook.stem]
    for relative in colab_cell.FILES_TO_FETCH:
        assert (folder / relative).is_file(), f"{relative} was not fetched"
    # The kernel may send one print in several stream messages (it flushes on a timer).
    last_output = "".join(output["text"] for output in executed.cells[-1].outputs
                          if output["output_type"] == "stream")
    assert last_output.strip() == f"helpers from {folder}"


def test_colab_cell_does_nothing_elsewhere(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(colab_cell.cell_source())])
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert list(tmp_path.iterdir()) == []


def test_binder_environment_opens_markdown_pages_as_notebooks(binder_runs):
    assert (BINDER_ENV / "share/jupyter/labextensions/jupyterlab-jupytext").is_dir()
    overrides = (BINDER_ENV / "share/jupyter/lab/settings/overrides.json").read_text()
    assert '"markdown": "Jupytext Notebook"' in overrides
