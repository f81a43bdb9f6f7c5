"""Pages execute in parallel before Sphinx reads them (sphinx_ext/parallel_execution.py),
and the build still stops, naming the page, when one of them fails."""

import os
import re
import sys

import pytest
from jupyter_cache import get_cache
from sphinx.errors import ExtensionError

from conftest import MYST_NOTEBOOK_HEADER, REPO_ROOT, build_book

sys.path.insert(0, str(REPO_ROOT / "sphinx_ext"))
import parallel_execution  # noqa: E402

# Each page prints when its kernel started and ended the cell that sleeps.
SLEEPING_CELL = "import time\nstart = time.time()\ntime.sleep(3)\nprint('ran from', start, 'to', time.time())"


def write_book(folder, pages):
    (folder / "_config.yml").write_text(
        "title: Parallel execution\nonly_build_toc_files: true\n"
        "execute:\n  execute_notebooks: cache\n  exclude_patterns: ['*skipped.md']\n"
        "sphinx:\n  local_extensions:\n"
        f"    parallel_execution: {REPO_ROOT / 'sphinx_ext'}\n"
        "  config:\n    nb_execution_raise_on_error: true\n")
    (folder / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n" + "".join(f"- file: {name}\n" for name in pages))
    (folder / "intro.md").write_text("# Intro\n")
    for name, code in pages.items():
        # The comment makes every page's code its own: the cache keeps one record per code.
        (folder / f"{name}.md").write_text(
            MYST_NOTEBOOK_HEADER + f"# {name}\n\n```{{code-cell}} ipython3\n# {name}\n{code}\n```\n")


def executed_intervals(folder):
    """{page: (start, end)} of the sleeping cell, from the pages in the execution cache."""
    cache = get_cache(str(folder / "_build" / ".jupyter_cache"))
    intervals = {}
    for record in cache.list_cache_records():
        notebook = cache.get_cache_bundle(record.pk).nb
        text = "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", []))
        match = re.search(r"ran from ([\d.]+) to ([\d.]+)", text)
        if match:
            intervals[record.uri.rsplit("/", 1)[-1]] = (float(match[1]), float(match[2]))
    return intervals


def test_pages_run_at_once_and_a_failing_page_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv(parallel_execution.WORKERS_VARIABLE, "2")
    # Pages of unknown duration run in the order of their names: the two first together.
    # A page excluded from execution is executed by nobody (it would fail).
    pages = {"first": SLEEPING_CELL, "second": SLEEPING_CELL,
             "third": "raise ValueError('broken on purpose')",
             "skipped": "raise RuntimeError('excluded from execution')"}
    write_book(tmp_path, pages)
    failed = build_book(tmp_path)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "third.md" in output and "broken on purpose" in output
    assert "executing 3 pages, 2 at a time" in output
    # The two good pages ran side by side, and are in the cache.
    intervals = executed_intervals(tmp_path)
    assert sorted(intervals) == ["first.md", "second.md"]
    (start_1, end_1), (start_2, end_2) = intervals.values()
    assert start_1 < end_2 and start_2 < end_1, f"no overlap: {intervals}"

    # Once the page is repaired, only it executes (MyST-NB alone: one page to run). Its
    # kernel, like every kernel of the build, holds the pages' claims strictly.
    (tmp_path / "third.md").write_text((tmp_path / "third.md").read_text().replace(
        "raise ValueError('broken on purpose')",
        "import os\nprint('repaired, claims', os.environ.get('COURSE_CHECKS'))"))
    repaired = build_book(tmp_path)
    assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr[-3000:]
    assert re.findall(r"(\S+\.md): Executed notebook in", repaired.stdout) == [str(tmp_path / "third.md")]
    assert "at a time" not in repaired.stdout
    assert "ran from" in (tmp_path / "_build" / "html" / "first.html").read_text()
    assert "repaired, claims strict" in (tmp_path / "_build" / "html" / "third.html").read_text()


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_number_of_workers_is_a_clear_error(value, monkeypatch):
    monkeypatch.setenv(parallel_execution.WORKERS_VARIABLE, value)
    with pytest.raises(ExtensionError, match="COURSE_EXECUTION_WORKERS must be a whole number"):
        parallel_execution.workers()


def test_the_number_of_workers_defaults_to_the_usable_cores(monkeypatch):
    monkeypatch.delenv(parallel_execution.WORKERS_VARIABLE, raising=False)
    assert parallel_execution.workers() == len(os.sched_getaffinity(0))
    monkeypatch.setenv(parallel_execution.WORKERS_VARIABLE, "3")
    assert parallel_execution.workers() == 3
