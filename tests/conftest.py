import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
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
