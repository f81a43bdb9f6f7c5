"""Measure the book against its speed and weight budgets (`make bench`).

Prints, and writes to _build/benchmark.json: cold build seconds of the core chapter
and of the whole book (execution included), warm rebuild seconds, execution seconds per page and per slow cell, HTML weight per
page and the size of the whole site. Exits non-zero when a budget is exceeded.
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
JUPYTER_BOOK = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
                "-W", "-n", "--keep-going"]

BUDGETS = {
    "core_cold_build_s": 20.0,      # the core chapter alone, execution included (2 CPU cores)
    "warm_rebuild_s": 10.0,         # the whole book, nothing changed: nothing re-executed
    "page_execution_s": 60.0,       # each page
    "chapter_html_kb": 400.0,       # book/convnets.html, inline content included
}
SLOW_CELL_S = 1.0


def timed_build(root=ROOT, allowed_warning=None):
    """Build the book at ``root``; return seconds and the pages that were executed.

    The build is strict, except that warnings matching ``allowed_warning`` (a regular
    expression) are tolerated."""
    flags = [f for f in JUPYTER_BOOK[3:] if allowed_warning is None or f != "-W"]
    command = [*JUPYTER_BOOK[:2], str(root), *flags]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    warnings = re.findall(r"WARNING: .*", result.stdout + result.stderr)
    unexpected = [w for w in warnings if allowed_warning is None or not re.search(allowed_warning, w)]
    if result.returncode != 0 or unexpected:
        sys.exit(f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    executed = sorted(set(re.findall(r"book/(\w+)\.md: Executing notebook", result.stdout)))
    return seconds, executed


def copy_of_the_book(scratch, core_only=False):
    copy = Path(scratch) / "book-copy"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "_build", ".git"))
    if core_only:
        (copy / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                       "  - file: book/convnets\n")
    return copy


def core_chapter_cold_build():
    """The core chapter alone, from nothing: what a teacher waits for after a clone."""
    with tempfile.TemporaryDirectory() as scratch:
        # The chapter's links to the hands-on pages, left out of this build, cannot resolve.
        seconds, executed = timed_build(copy_of_the_book(scratch, core_only=True),
                                        allowed_warning=r"undefined label: 'sec:")
    assert executed == ["convnets"], executed
    return seconds


def incremental_rebuilds():
    """In a copy of the book: edit one code cell of each page, rebuild, see what reruns."""
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        copy = copy_of_the_book(scratch)
        timed_build(copy)
        for page in sorted((copy / "book").glob("*.md")):
            text = page.read_text()
            if "```{code-cell}" not in text:  # a plain Markdown page is never executed
                continue
            # A comment line at the end of the first code cell changes that cell's source.
            cell_start = text.index("```{code-cell}")
            cell_end = text.index("\n```\n", cell_start)
            edited = text[:cell_end] + "\n# edited by the benchmark" + text[cell_end:]
            page.write_text(edited)
            seconds, executed = timed_build(copy)
            results[page.stem] = {"rebuild_s": round(seconds, 2), "re_executed": executed}
    return results


def execute_page(path):
    """Execute a page's notebook as the build does; return total and per-cell seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    slow_cells = []
    for index, cell in enumerate(notebook.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            seconds = (end - begin).total_seconds()
            if seconds > SLOW_CELL_S:
                first_line = cell.source.strip().splitlines()[0][:60]
                slow_cells.append({"cell": index, "seconds": round(seconds, 2), "starts": first_line})
    return round(total, 2), slow_cells


def main():
    shutil.rmtree(BUILD, ignore_errors=True)
    cold_seconds, _ = timed_build()
    warm_seconds, warm_executed = timed_build()
    report = {"core_cold_build_s": round(core_chapter_cold_build(), 2),
              "book_cold_build_s": round(cold_seconds, 2), "warm_rebuild_s": round(warm_seconds, 2),
              "warm_re_executed": warm_executed, "edit_one_page": incremental_rebuilds()}
    report["pages"] = {}
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        seconds, slow_cells = execute_page(notebook)
        report["pages"][notebook.stem] = {"execution_s": seconds, "slow_cells": slow_cells}
    report["html_kb"] = {
        str(page.relative_to(HTML)): round(page.stat().st_size / 1024, 1)
        for page in sorted(HTML.glob("book/*.html"))
    }
    report["site_mb"] = round(sum(f.stat().st_size for f in HTML.rglob("*") if f.is_file()) / 2**20, 2)

    over = []
    for key in ("core_cold_build_s", "warm_rebuild_s"):
        if report[key] > BUDGETS[key]:
            over.append(f"{key} {report[key]} > {BUDGETS[key]}")
    if warm_executed:
        over.append(f"a rebuild with nothing changed re-executed {warm_executed}")
    for name, edit in report["edit_one_page"].items():
        if edit["re_executed"] != [name]:
            over.append(f"editing {name} re-executed {edit['re_executed']}")
    for name, page in report["pages"].items():
        if page["execution_s"] > BUDGETS["page_execution_s"]:
            over.append(f"{name} executes in {page['execution_s']} s > {BUDGETS['page_execution_s']}")
    if report["html_kb"]["book/convnets.html"] > BUDGETS["chapter_html_kb"]:
        over.append(f"convnets.html weighs {report['html_kb']['book/convnets.html']} KB")
    report["budgets"] = BUDGETS
    report["over_budget"] = over

    print(f"core chapter cold build: {report['core_cold_build_s']:6.1f} s  (budget {BUDGETS['core_cold_build_s']})")
    print(f"whole book cold build:   {report['book_cold_build_s']:6.1f} s")
    print(f"warm rebuild:   {report['warm_rebuild_s']:6.1f} s  (budget {BUDGETS['warm_rebuild_s']})")
    for name, edit in report["edit_one_page"].items():
        print(f"edit {name}: rebuilt in {edit['rebuild_s']:.1f} s, re-executed {edit['re_executed']}")
    for name, page in report["pages"].items():
        print(f"execute {name}: {page['execution_s']:6.1f} s  (budget {BUDGETS['page_execution_s']})")
        for cell in page["slow_cells"]:
            print(f"    cell {cell['cell']:2d}: {cell['seconds']:5.2f} s  {cell['starts']}")
    for page, kb in report["html_kb"].items():
        print(f"html {page}: {kb:7.1f} KB")
    print(f"whole site:     {report['site_mb']:6.2f} MB")
    (BUILD / "benchmark.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"report written to {BUILD / 'benchmark.json'}")
    if over:
        sys.exit("over budget: " + "; ".join(over))
    print("all budgets met")


if __name__ == "__main__":
    main()
