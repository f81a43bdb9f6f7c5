"""Each executable page is a MyST .md file with an .ipynb twin (for Colab and nbmake)."""

import jupytext
import nbformat
import pytest

from conftest import EXECUTABLE_PAGES


@pytest.mark.parametrize("page", EXECUTABLE_PAGES, ids=lambda p: p.name)
def test_ipynb_twin_matches_page_and_has_no_outputs(page):
    twin = page.with_suffix(".ipynb")
    assert twin.exists(), f"{twin.name} is missing: run `make notebooks`"
    expected = jupytext.read(page)
    actual = nbformat.read(twin, as_version=4)
    assert [(c.cell_type, c.source) for c in actual.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], f"{twin.name} is out of sync with {page.name}: run `make notebooks`"
    for cell in actual.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{twin.name} carries outputs: clear them (Jupyter: Edit > Clear Outputs of All"
                " Cells) or `git checkout` it, then run `make notebooks`"
            )
