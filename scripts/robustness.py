"""The robustness run (`make robustness`): does every page's text hold on other random
draws and other numerical paths?

Training is not bit-identical from one CPU to another, so the book's claims about its
results must hold for any seed, not for one run. This executes pages under several runs:

    seed 0 ... seed 4   COURSE_SEED=k: every seed of the page shifted (data, initialisation,
                        shuffling, augmentation); seed 0 is the book's own run
    1 thread, oneDNN    seed 0 along a second numerical path: one intra-op thread and
                        TensorFlow's oneDNN kernels, which sum in other orders
    Colab versions      seed 0 on Colab's package versions (scripts/colab-requirements.txt,
                        installed by `make robustness` in _build/colab-env)

Every page runs with COURSE_CHECKS=note, so that a claim that does not hold shows its
note (notebook_utils.check) and the page goes on to its other claims and numbers. The run
then prints, per page, a table of its glued numbers (rows) for every run (columns), and
the claims that failed; it writes it to _build/robustness/report.md (and .json), and
exits non-zero if any claim failed, any cell raised or anything reached stderr.

    python scripts/robustness.py [--pages book/a.md ...] [--runs "seed 1" ...] [--jobs N]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import course

ROOT = course.ROOT
REPORT_DIR = ROOT / "_build" / "robustness"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
COLAB_PYTHON = ROOT / "_build" / "colab-env" / "bin" / "python"
SEEDS = range(5)
RUNS = {f"seed {k}": {"env": {"COURSE_SEED": str(k)}, "python": VENV_PYTHON} for k in SEEDS}
RUNS["1 thread, oneDNN"] = {"env": {"TF_NUM_INTRAOP_THREADS": "1", "TF_ENABLE_ONEDNN_OPTS": "1"},
                            "python": VENV_PYTHON}
RUNS["Colab versions"] = {"env": {}, "python": COLAB_PYTHON}
PAGE_TIMEOUT = 600  # seconds; a page within its budget takes at most 60

# Executed by the run's own Python, so that the kernel is that environment's.
EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path, timeout = sys.argv[1], int(sys.argv[2])
notebook = nbformat.read(path, as_version=4)
client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[3]}})
try:
    client.execute()
except CellExecutionError:
    pass  # the error is in the cell's outputs; the report reads it from there
nbformat.write(notebook, path)
"""


def execute(page, run_name, workdir):
    """Execute ``page`` for one run; returns what the report needs of it."""
    import jupytext
    import nbformat

    run = RUNS[run_name]
    folder = Path(workdir) / run_name.replace(" ", "-").replace(",", "") / page.stem
    folder.mkdir(parents=True)
    notebook_path = folder / f"{page.stem}.ipynb"
    nbformat.write(jupytext.read(page), notebook_path)
    env = {key: value for key, value in os.environ.items()
           if key not in ("COURSE_SEED", "TF_NUM_INTRAOP_THREADS", "TF_ENABLE_ONEDNN_OPTS")}
    env.update({"COURSE_CHECKS": "note", "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0",
                **run["env"]})
    start = time.perf_counter()
    process = subprocess.run([str(run["python"]), "-c", EXECUTE, str(notebook_path),
                              str(PAGE_TIMEOUT), str(page.parent)],
                             env=env, capture_output=True, text=True, timeout=PAGE_TIMEOUT + 120)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        return {"seconds": seconds, "glued": {}, "failed_claims": [], "stderr": [],
                "errors": [f"the executor failed: {process.stderr.strip()[-1500:]}"]}
    return {"seconds": seconds, **read_outputs(nbformat.read(notebook_path, as_version=4))}


def read_outputs(notebook):
    """The glued values, the notes of claims that failed, stderr and errors of a notebook."""
    glued, failed, stderr, errors = {}, [], [], []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {})
            if "scrapbook" in metadata:
                # MyST-NB stores the value under a prefixed MIME type ("…/text/plain").
                texts = [text for mime, text in output["data"].items() if mime.endswith("text/plain")]
                glued[metadata["scrapbook"]["name"]] = texts[0] if texts else ""
            if "course_check" in metadata:
                failed.append(output["data"]["text/plain"])
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                stderr.append(output["text"].strip()[:500])
            if output.get("output_type") == "error":
                errors.append(f"{output['ename']}: {output['evalue']}"[:1500])
    return {"glued": glued, "failed_claims": failed, "stderr": stderr, "errors": errors}


def number(text):
    """A glued value as a short number, or None for text that is not one."""
    try:
        value = float(text.strip("'\""))
    except ValueError:
        return None
    return f"{value:.4g}"


def report(results, pages, run_names):
    """The report as Markdown: per page, a table of glued numbers by run, then the failures."""
    lines = ["# Robustness run", ""]
    for page in pages:
        by_run = {name: results[(page, name)] for name in run_names}
        lines += [f"## {page.relative_to(ROOT)}", "",
                  "| | " + " | ".join(run_names) + " |",
                  "| --- |" + " --- |" * len(run_names)]
        names = sorted({glued for result in by_run.values() for glued in result["glued"]})
        for name in names:
            cells = [number(by_run[run]["glued"].get(name, "")) for run in run_names]
            if any(cell is not None for cell in cells):
                lines.append(f"| {name} | " + " | ".join(cell or "–" for cell in cells) + " |")
        lines.append("| **claims failed** | " + " | ".join(
            str(len(by_run[run]["failed_claims"]) + len(by_run[run]["errors"])) for run in run_names) + " |")
        lines.append("| seconds | " + " | ".join(f"{by_run[run]['seconds']:.0f}" for run in run_names) + " |")
        lines.append("")
        for run in run_names:
            result = by_run[run]
            for problem in result["failed_claims"] + result["errors"]:
                lines.append(f"- {run}: {problem}")
            for text in result["stderr"]:
                lines.append(f"- {run}, on stderr: {text}")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", type=Path, help="pages to run (default: every executable page)")
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS), metavar="RUN",
                        help=f"runs to make (default: all of {', '.join(RUNS)})")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                        help="pages executed at once (default: one per core)")
    args = parser.parse_args(argv)
    pages = [page.resolve() for page in args.pages] if args.pages else course.executable_pages()
    executable = set(course.executable_pages())
    for page in pages:
        if page not in executable:
            parser.error(f"{page} is not an executable page of _toc.yml")
    for name in args.runs:
        if not RUNS[name]["python"].is_file():
            parser.error(f"the run {name!r} needs {RUNS[name]['python']}: "
                         "run `make robustness`, which installs it")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    start = time.perf_counter()
    tasks = [(page, run) for run in args.runs for page in pages]
    # The longest pages first, so that the last minutes are not one page alone.
    tasks.sort(key=lambda task: -course.is_training_page(task[0]))
    results = {}
    with tempfile.TemporaryDirectory(prefix="robustness-") as workdir, \
            ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {task: pool.submit(execute, *task, workdir) for task in tasks}
        for (page, run), future in futures.items():
            results[(page, run)] = result = future.result()
            problems = len(result["failed_claims"]) + len(result["errors"]) + len(result["stderr"])
            print(f"{page.relative_to(ROOT)} [{run}]: {result['seconds']:.0f} s, "
                  f"{'ok' if not problems else f'{problems} problems'}", flush=True)
    text = report(results, pages, args.runs)
    minutes = (time.perf_counter() - start) / 60
    text += f"\n{len(tasks)} executions in {minutes:.1f} min, {args.jobs} at a time.\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "report.md").write_text(text)
    (REPORT_DIR / "report.json").write_text(json.dumps(
        {f"{page.relative_to(ROOT)} | {run}": result for (page, run), result in results.items()}, indent=1))
    print(text)
    bad = [(page, run) for (page, run), result in results.items()
           if result["failed_claims"] or result["errors"] or result["stderr"]]
    if bad:
        print(f"{len(bad)} of {len(tasks)} executions had failed claims, errors or stderr output "
              f"(report: {REPORT_DIR / 'report.md'})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
