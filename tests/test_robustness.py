"""The robustness run (scripts/robustness.py, `make robustness`): it executes a page under
another seed, reads back its glued numbers and the claims that did not hold, and reports
them by run. (The run itself, over every page, is too long for `make test`.)"""

import sys

import pytest

from conftest import MYST_NOTEBOOK_HEADER, REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import course  # noqa: E402
import robustness  # noqa: E402

# A page that glues a number drawn with its seed, and makes one claim that holds and one
# that does not.
PAGE = MYST_NOTEBOOK_HEADER + """```{code-cell} ipython3
from notebook_utils import check, glue, run_seed
import numpy as np

SEED = run_seed()
draw = np.random.default_rng(SEED).random()
glue("seed_used", SEED)
glue("draw", draw)
glue("label", "a word")
check("the draw lies in [0, 1)", 0 <= draw < 1, "0 <= draw < 1", f"{draw:.3f}")
check("the seed is zero", SEED == 0, "SEED 0", f"SEED {SEED}")
print("the page went on")
```
"""


def test_a_page_run_with_another_seed_reports_its_numbers_and_the_claim_that_failed(tmp_path):
    page = tmp_path / "book" / "probe.md"
    page.parent.mkdir()
    page.write_text(PAGE)
    result = robustness.execute(page, "seed 3", tmp_path / "runs")
    assert result["errors"] == [] and result["stderr"] == []
    assert result["glued"]["seed_used"] == "3000"
    assert float(result["glued"]["draw"]) != float(robustness.execute(page, "seed 0", tmp_path / "again")["glued"]["draw"])
    [failed] = result["failed_claims"]
    assert "the seed is zero: expected SEED 0, observed SEED 3000" in failed


def test_the_report_has_a_row_per_glued_number_and_a_column_per_run():
    page = REPO_ROOT / "book" / "probe.md"
    results = {
        (page, "seed 0"): {"seconds": 12.3, "glued": {"accuracy": "0.95123", "label": "'word'"},
                           "failed_claims": [], "stderr": [], "errors": []},
        (page, "seed 1"): {"seconds": 14.0, "glued": {"accuracy": "0.91"},
                           "failed_claims": ["On this run, a result differs from the text. x: expected 1, observed 2."],
                           "stderr": ["a warning"], "errors": []},
    }
    text = robustness.report(results, [page], ["seed 0", "seed 1"])
    assert "| | seed 0 | seed 1 |" in text
    assert "| accuracy | 0.9512 | 0.91 |" in text
    assert "label" not in text  # text, not a number
    assert "| **claims failed** | 0 | 1 |" in text and "| seconds | 12 | 14 |" in text
    assert "- seed 1: On this run, a result differs from the text. x: expected 1, observed 2." in text
    assert "- seed 1, on stderr: a warning" in text


def test_the_runs_are_five_seeds_another_numerical_path_and_colabs_versions():
    assert list(robustness.RUNS) == ["seed 0", "seed 1", "seed 2", "seed 3", "seed 4",
                                     "1 thread, oneDNN", "Colab versions"]
    assert robustness.RUNS["1 thread, oneDNN"]["env"] == {"TF_NUM_INTRAOP_THREADS": "1",
                                                          "TF_ENABLE_ONEDNN_OPTS": "1"}
    colab = (REPO_ROOT / "scripts" / "colab-requirements.txt").read_text()
    for pin in ["tensorflow-cpu==2.19.", "keras==3.10.", "numpy==2.0.2", "scipy==1.15.", "matplotlib==3.10."]:
        assert pin in colab


def test_bad_arguments_are_refused(capsys):
    with pytest.raises(SystemExit):
        robustness.main(["--pages", str(REPO_ROOT / "README.md")])
    assert "is not an executable page of _toc.yml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        robustness.main(["--runs", "seed 9"])


def test_the_training_pages_are_the_pages_that_fit():
    training = {page.stem for page in course.executable_pages() if course.is_training_page(page)}
    assert {"lenet_digits", "resnet", "transfer_learning"} <= training
    assert not {"convnets", "conv_learning"} & training
