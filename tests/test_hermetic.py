"""Hermetic, deterministic, pinned: the book builds the same way every time, offline."""

import os
import re
import socket

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import NOTEBOOKS, REPO_ROOT, executed_in_build


@pytest.mark.skipif(os.environ.get("CNN_COURSE_OFFLINE") != "1",
                    reason="run through scripts/offline.sh (`make test`) to check isolation")
def test_the_tests_run_without_network():
    # Only the loopback interface exists in the tests' network namespace.
    assert [name for _, name in socket.if_nameindex()] == ["lo"]
    with pytest.raises(OSError):
        socket.getaddrinfo("pypi.org", 443)


def test_requirements_pin_exact_versions():
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        requirement = line.split("#")[0].split(";")[0].strip()
        if requirement:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.+]*", requirement), line


def test_the_build_log_is_quiet(html_build):
    """A newcomer's build shows nothing on stderr: no kernel's start-up warning, no
    TensorFlow log line (a warning about their own change would fail the strict build)."""
    assert html_build.stderr.strip() == "", f"the build wrote to stderr:\n{html_build.stderr[-3000:]}"


def test_no_page_loads_an_unpinned_external_script(html_dir):
    for page in html_dir.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for script in soup.find_all("script", src=True):
            if re.match(r"(https?:)?//", script["src"]):
                assert script.get("integrity", "").startswith("sha"), (
                    f"{page.relative_to(html_dir)} loads {script['src']} without an integrity hash")
        for link in soup.find_all("link", rel="stylesheet", href=True):
            if re.match(r"(https?:)?//", link["href"]):
                assert link.get("integrity"), f"{page.relative_to(html_dir)} loads {link['href']}"


# A number, as printed or glued: 12, 3.5, 1,024, 2.2e-15.
NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:e[+-]?\d+)?")


def without_numbers(value):
    """``value`` (an output, or part of one) with every number written as "#"."""
    if isinstance(value, str):  # a table's padding follows the widths of its numbers
        return re.sub(r"[ \t]+", " ", NUMBER.sub("#", value))
    if isinstance(value, list):
        return [without_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: without_numbers(item) for key, item in value.items()}
    return value


def outputs(notebook):
    """Every output of every code cell, without execution counts and metadata.

    Consecutive writes to the same stream are joined: how the kernel splits printed text
    into messages depends on timing, not on what is printed. A cell tagged `timing`
    measures speed (CONTRIBUTING.md): its numbers change from run to run, so they are
    compared as "#", and everything else it prints must still be identical."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        timing = "timing" in cell.get("metadata", {}).get("tags", [])
        merged = []
        for output in cell.get("outputs", []):
            output = {key: value for key, value in output.items()
                      if key not in ("execution_count", "metadata")}
            if timing:
                output = without_numbers(output)
            previous = merged[-1] if merged else {}
            if output["output_type"] == "stream" and previous.get("output_type") == "stream" \
                    and previous["name"] == output["name"]:
                previous["text"] += output["text"]
            else:
                merged.append(output)
        cells.append(merged)
    return cells


def test_timing_cells_are_compared_without_their_numbers():
    def notebook(text, tags):
        cell = nbformat.v4.new_code_cell("", metadata={"tags": tags})
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        return nbformat.v4.new_notebook(cells=[cell])

    fast, slow = "im2col 66.5 times faster, 1,024 runs\n", "im2col 3.5 times faster, 998 runs\n"
    assert outputs(notebook(fast, ["timing"])) == outputs(notebook(slow, ["timing"]))
    assert outputs(notebook(fast, [])) != outputs(notebook(slow, []))  # only when tagged
    assert outputs(notebook(fast, ["timing"])) != outputs(notebook("im2col 66.5 times slower\n",
                                                                   ["timing"]))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_two_executions_print_identical_outputs(notebook, html_dir, binder_runs):
    """The build's execution and an independent one (nbmake's, in the Binder environment)
    agree on every output: every number printed, every figure drawn."""
    built = executed_in_build(notebook)
    _, rerun = binder_runs[notebook.stem]
    rerun_outputs = outputs(rerun)[:-1]  # the helpers-location cell added by the run
    assert len(outputs(built)) == len(rerun_outputs)
    for index, (first, second) in enumerate(zip(outputs(built), rerun_outputs)):
        assert first == second, f"{notebook.name}: code cell {index} printed something else"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_writes_to_stderr(notebook, html_dir):
    """Library warnings and logs (TensorFlow's, say) would be noise on the page, and their
    time stamps would make every build differ."""
    built = executed_in_build(notebook)
    for index, cell_outputs in enumerate(outputs(built)):
        for output in cell_outputs:
            assert output.get("name") != "stderr", f"code cell {index} wrote: {output['text'][:300]}"
