"""Measure the course against its budgets (`make bench`), on a copy of the repository.

Prints, and writes to _build/benchmark.json: the whole book's cold build (execution
included, pages executed in parallel, one per core), a warm rebuild with nothing
changed, what an edit of each page and of a helper re-executes, each page's execution
time (measured when its edit re-executes it alone, as MyST-NB reports it) and the weight
of every HTML page. With `--make-test`, also times `make test` on a fresh clone and
estimates it for a course with twice as many pages. Exits non-zero over a budget.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sphinx_ext"))
import course  # noqa: E402
import page_deps  # noqa: E402

ROOT = course.ROOT
BUILD = ROOT / "_build"
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")

BUDGETS = {                   # on 2 CPU cores
    "warm_rebuild_s": 10.0,       # nothing changed: nothing re-executed
    "page_execution_s": 30.0,     # each page that does not train (60 s for one that trains)
    "page_html_kb": 400.0,        # each page, inline content included
    "make_test_s": 20 * 60.0,     # `make test` on a fresh clone, installs included
}
TRAINING_PAGE_EXECUTION_S = 60.0  # a page that trains (course.is_training_page)
HELPER_EDITED = ("load_mnist1d", "def load_mnist1d(seed=None):",
                 "def load_mnist1d(seed=None):  # edited by the benchmark")


def timed_build(root):
    """Strict build of the book at ``root``: seconds, and {page: execution seconds}."""
    start = time.perf_counter()
    result = subprocess.run([JUPYTER_BOOK, "build", str(root), *course.BUILD_FLAGS],
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    executed = {Path(path).stem: float(s) for path, s in
                re.findall(r"(\S+\.md): Executed notebook in ([\d.]+) seconds", result.stdout)}
    return seconds, executed


def append_to_first_code_cell(page):
    """A comment line at the end of the page's first code cell: its code has changed."""
    text = page.read_text()
    cell_end = text.index("\n```\n", text.index("```{code-cell}"))
    page.write_text(text[:cell_end] + "\n# edited by the benchmark" + text[cell_end:])


def measure_builds(copy):
    report = {}
    report["book_cold_build_s"], _ = timed_build(copy)
    report["warm_rebuild_s"], report["warm_re_executed"] = timed_build(copy)
    report["html_kb"] = {page.stem: round(page.stat().st_size / 1024, 1)
                         for page in sorted((copy / "_build" / "html" / "book").glob("*.html"))}
    report["edit_one_page"], report["page_execution_s"] = {}, {}
    for page in course.executable_pages(copy):
        append_to_first_code_cell(page)
        seconds, executed = timed_build(copy)  # the page alone: its own execution time
        report["edit_one_page"][page.stem] = {"rebuild_s": round(seconds, 2), "re_executed": sorted(executed)}
        if page.stem in executed:
            report["page_execution_s"][page.stem] = round(executed[page.stem], 2)
    helper, old, new = HELPER_EDITED
    helpers = copy / "notebook_utils.py"
    if old not in helpers.read_text():
        sys.exit(f"bench: cannot edit {helper}: {old!r} is not in notebook_utils.py (HELPER_EDITED)")
    helpers.write_text(helpers.read_text().replace(old, new, 1))
    seconds, executed = timed_build(copy)
    users = sorted(page.stem for page in course.executable_pages(copy)
                   if helper in page_deps.page_fingerprint(page, copy)[1])
    report["edit_helper"] = {"helper": helper, "rebuild_s": round(seconds, 2),
                             "re_executed": sorted(executed), "pages_using_it": users}
    return report


def time_make_test():
    """`make test` on a fresh clone of the committed course, as CI runs it."""
    with tempfile.TemporaryDirectory() as scratch:
        clone = Path(scratch) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        start = time.perf_counter()
        result = subprocess.run(["make", "test"], cwd=clone, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"make test failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    return seconds


def page_budget(name):
    """Seconds a page may take to execute alone: 60 if it trains, 30 otherwise."""
    page = ROOT / "book" / f"{name}.md"
    return TRAINING_PAGE_EXECUTION_S if course.is_training_page(page) else BUDGETS["page_execution_s"]


def over_budget(report):
    over = []
    if report["warm_rebuild_s"] > BUDGETS["warm_rebuild_s"]:
        over.append(f"warm_rebuild_s {report['warm_rebuild_s']:.1f} > {BUDGETS['warm_rebuild_s']}")
    if report["warm_re_executed"]:
        over.append(f"a rebuild with nothing changed re-executed {sorted(report['warm_re_executed'])}")
    for name, seconds in report["page_execution_s"].items():
        budget = page_budget(name)
        if seconds > budget:
            over.append(f"{name} executes in {seconds} s > {budget}")
    for name, kb in report["html_kb"].items():
        if kb > BUDGETS["page_html_kb"]:
            over.append(f"{name}.html weighs {kb} KB > {BUDGETS['page_html_kb']}")
    for name, edit in report["edit_one_page"].items():
        if edit["re_executed"] != [name]:
            over.append(f"editing {name} re-executed {edit['re_executed']}")
    edit = report["edit_helper"]
    if edit["re_executed"] != edit["pages_using_it"]:
        over.append(f"editing {edit['helper']} re-executed {edit['re_executed']}, "
                    f"not the pages using it {edit['pages_using_it']}")
    if "make_test_s" in report and report["make_test_s"] > BUDGETS["make_test_s"]:
        over.append(f"make test took {report['make_test_s']:.0f} s")
    if "make_test_doubled_estimate_s" in report and report["make_test_doubled_estimate_s"] > BUDGETS["make_test_s"]:
        over.append(f"with twice the pages, make test would take {report['make_test_doubled_estimate_s']:.0f} s")
    return over


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--make-test", action="store_true",
                        help="also time `make test` on a fresh clone (about 10 minutes)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "course"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "node_modules"))
        (copy / "node_modules").symlink_to(ROOT / "node_modules")  # Thebe, served by the HTML book
        report = measure_builds(copy)
    if arguments.make_test:
        report["make_test_s"] = round(time_make_test(), 1)
        # Each page executes twice per `make test` (the build, the Binder/Colab run), the
        # two side by side on two cores: as many pages again add about the sum of their
        # execution times, and their share of the page checks on top (not counted: the
        # estimate is a lower bound).
        report["make_test_doubled_estimate_s"] = round(
            report["make_test_s"] + sum(report["page_execution_s"].values()), 1)
    report["budgets"] = BUDGETS
    report["over_budget"] = over_budget(report)

    print(f"whole book cold build: {report['book_cold_build_s']:6.1f} s  (no budget of its own: the sum of the pages)")
    for name, seconds in report["page_execution_s"].items():
        budget = page_budget(name)
        print(f"  executes {name}: {seconds:6.1f} s alone  (budget {budget:.0f})")
    print(f"warm rebuild:          {report['warm_rebuild_s']:6.1f} s  (budget {BUDGETS['warm_rebuild_s']:.0f}),"
          f" re-executed {sorted(report['warm_re_executed']) or 'nothing'}")
    for name, edit in report["edit_one_page"].items():
        print(f"edit page {name}: rebuilt in {edit['rebuild_s']:.1f} s, re-executed {edit['re_executed']}")
    edit = report["edit_helper"]
    print(f"edit helper {edit['helper']}: rebuilt in {edit['rebuild_s']:.1f} s, re-executed {edit['re_executed']}"
          f" (pages using it: {edit['pages_using_it']})")
    for name, kb in report["html_kb"].items():
        print(f"html {name}: {kb:7.1f} KB  (budget {BUDGETS['page_html_kb']:.0f})")
    if "make_test_s" in report:
        print(f"make test on a fresh clone: {report['make_test_s']:.0f} s; with twice the pages,"
              f" at least {report['make_test_doubled_estimate_s']:.0f} s  (budget {BUDGETS['make_test_s']:.0f})")
    BUILD.mkdir(exist_ok=True)
    (BUILD / "benchmark.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"report written to {BUILD / 'benchmark.json'}")
    if report["over_budget"]:
        sys.exit("over budget: " + "; ".join(report["over_budget"]))
    print("all budgets met")


if __name__ == "__main__":
    main()
