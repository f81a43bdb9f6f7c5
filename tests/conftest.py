"""Fixtures shared by the tests: the built book, and every page run once more, as a
student runs it (the Binder environment, the notebook alone in a folder, as on Colab).

Each page is executed twice per `make test` and no more: by the strict build, and by the
one nbmake run of `binder_runs`, which is at once the Binder check, the Colab simulation
and the second execution that the determinism test compares with the first.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupyter_cache import get_cache

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import colab_cell  # noqa: E402
import course  # noqa: E402

PAGES = course.toc_pages()  # every page of _toc.yml
EXECUTABLE_PAGES = course.executable_pages()
NOTEBOOKS = [page.with_suffix(".ipynb") for page in EXECUTABLE_PAGES]
BIN = Path(sys.executable).parent
BUILD = REPO_ROOT / "_build"
BINDER_ENV = BUILD / "binder-env"  # made from binder/ by `make test`


# The front matter of a MyST notebook page: what the tests' small pages start with.
MYST_NOTEBOOK_HEADER = (
    "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
    "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n")


def pytest_collection_modifyitems(config, items):
    """The tests that need the Binder runs go last, in their order: the others run while
    nbmake is still executing the pages on the other core. Notes which fixtures the
    session's tests use (`html_build` starts only the builds that some test needs)."""
    items.sort(key=lambda item: "binder_runs" in getattr(item, "fixturenames", ()))
    config.course_fixtures_used = {name for item in items for name in getattr(item, "fixturenames", ())}


def build_command(source, *extra):
    return [str(BIN / "jupyter-book"), "build", str(source), *course.BUILD_FLAGS, *extra]


BUILD_ENVIRONMENT = {**os.environ, "PYTHONHASHSEED": "0"}


def build_book(source, *extra):
    """Run a strict ``jupyter-book build`` of ``source``; return the finished process."""
    return subprocess.run(build_command(source, *extra), capture_output=True, text=True,
                          env=BUILD_ENVIRONMENT)


class BackgroundBuild:
    """A strict build running in the background, its output in files (a pipe nobody
    reads would fill up and stop it); ``result()`` waits for it."""

    def __init__(self, logs, source, *extra):
        self.source = source
        self.stdout, self.stderr = logs.with_suffix(".out"), logs.with_suffix(".err")
        with open(self.stdout, "w") as stdout, open(self.stderr, "w") as stderr:
            self.process = subprocess.Popen(build_command(source, *extra), stdout=stdout,
                                            stderr=stderr, text=True, env=BUILD_ENVIRONMENT)

    def result(self):
        returncode = self.process.wait()
        return subprocess.CompletedProcess(self.process.args, returncode,
                                           self.stdout.read_text(), self.stderr.read_text())

    def stop(self):
        if self.process.poll() is None:  # a partial test run that never needed it
            self.process.kill()
            self.process.wait()


def git(folder, *arguments):
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True)


def course_copy(folder, origin=None, url=course.PLACEHOLDER_REPOSITORY):
    """The course's files in ``folder``, a git clone with ``origin`` as its remote. It
    shares this clone's node_modules (Thebe, which an HTML build serves)."""
    shutil.copytree(REPO_ROOT, folder, ignore=shutil.ignore_patterns(
        ".git", ".venv", "_build", "node_modules", ".pytest_cache"))
    (folder / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    config = folder / "_config.yml"
    config.write_text(config.read_text().replace(course.PLACEHOLDER_REPOSITORY, url))
    git(folder, "init", "-q")
    if origin:
        git(folder, "remote", "add", "origin", origin)
    return folder


FORK_ORIGIN = "git@github.com:someone/cnn-course.git"


class BuildsFromCache:
    """The builds that reuse the HTML build's execution cache, named after the fixtures
    that need them: "pdf" (the PDF book) and "fork_build" (a copy whose origin is a fork
    on GitHub). `html_build` starts those that the session's tests use as soon as that
    cache is complete, so that they run alongside the tests of the HTML; ``result(name)``
    waits for one (starting it if needed)."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.running = {}
        self.starters = {"pdf": self._start_pdf, "fork_build": self._start_fork}

    def _start_pdf(self, logs):
        return BackgroundBuild(logs, REPO_ROOT, "--builder", "pdflatex")

    def _start_fork(self, logs):
        fork = course_copy(self.tmp_path_factory.mktemp("fork") / "course", FORK_ORIGIN)
        shutil.copytree(BUILD / ".jupyter_cache", fork / "_build" / ".jupyter_cache")
        return BackgroundBuild(logs, fork)

    def start(self, name):
        if name not in self.running:
            self.running[name] = self.starters[name](self.tmp_path_factory.mktemp("build-logs") / name)

    def result(self, name):
        self.start(name)
        return self.running[name].result()


@pytest.fixture(scope="session")
def builds_from_cache(tmp_path_factory):
    builds = BuildsFromCache(tmp_path_factory)
    yield builds
    for build in builds.running.values():
        build.stop()


@pytest.fixture(scope="session")
def html_build(request, binder_process, builds_from_cache):
    """The book built as the README says (cached execution: only pages whose code or
    helpers changed rerun); returns the finished build process.

    The Binder run (`binder_process`) is started first and runs alongside: a page's
    execution keeps about one core busy, so the build and nbmake share the two cores.
    Once the book is built, the builds that reuse its execution cache start
    (`builds_from_cache`)."""
    result = build_book(REPO_ROOT)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    for name in builds_from_cache.starters:
        if name in request.config.course_fixtures_used:
            builds_from_cache.start(name)
    return result


@pytest.fixture(scope="session")
def html_dir(html_build):
    """The built HTML book's folder (see `html_build`)."""
    return BUILD / "html"


@pytest.fixture(scope="session")
def fork_build(html_dir, builds_from_cache):
    """The book built in a copy whose origin is a fork on GitHub (so it has launch
    buttons whatever this clone's origin), with the execution cache of the main build:
    nothing re-executes. Returns (the copy's folder, the finished build process)."""
    result = builds_from_cache.result("fork_build")
    return builds_from_cache.running["fork_build"].source, result


def html_page(html_dir, page):
    """The built HTML file of a page source (book/x.md -> _build/html/book/x.html)."""
    return html_dir / page.relative_to(REPO_ROOT).with_suffix(".html")


def exercises_and_solutions(soup):
    """A built page's exercise boxes, and its solutions (drop-downs, hidden by default)."""
    return soup.select("div.exercise"), soup.select("div.solution.dropdown")


def executed_in_build(notebook_path):
    """The page as the build executed it, with its outputs, from the execution cache.

    (MyST-NB's copy in _build/jupyter_execute loses its outputs when the page comes from
    the cache, so the cache itself is the reference.)"""
    page = jupytext.read(notebook_path.with_suffix(".md"))
    _, notebook = get_cache(BUILD / ".jupyter_cache").merge_match_into_notebook(page)
    return notebook


HELPERS_LOCATION_CELL = ("import notebook_utils, os\n"
                         "print('helpers from', os.path.dirname(os.path.abspath(notebook_utils.__file__)))")


@pytest.fixture(scope="session")
def binder_process(tmp_path_factory):
    """Start nbmake on every page's notebook in the Binder environment, each alone in an
    empty folder, as Google Colab opens it; `binder_runs` waits for it.

    A stand-in `google.colab` module makes the Colab set-up cell act, and its download
    address points at a local copy of the repository's raw files: no network is used.
    Yields (folder of the runs, the notebooks' copies, the running process), or None
    when the Binder environment is missing.
    """
    python = BINDER_ENV / "bin" / "python"
    if not python.is_file():  # `binder_runs` fails; tests of the build alone still run
        yield None
        return
    root = tmp_path_factory.mktemp("binder-colab")
    fake = root / "fake-modules" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('"""Stand-in for Colab\'s module, for the tests."""\n')
    mirror = root / "raw-files"
    for relative in colab_cell.FILES_TO_FETCH:
        (mirror / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / relative, mirror / relative)
    copies = []
    for notebook_path in NOTEBOOKS:
        folder = root / "runs" / notebook_path.stem
        folder.mkdir(parents=True)
        notebook = nbformat.read(notebook_path, as_version=4)  # the notebook alone
        # After the page, report where the helpers were imported from.
        notebook.cells.append(nbformat.v4.new_code_cell(HELPERS_LOCATION_CELL))
        nbformat.write(notebook, folder / notebook_path.name)
        copies.append(folder / notebook_path.name)
    env = {**os.environ, "PATH": f"{BINDER_ENV / 'bin'}:{os.environ['PATH']}",
           "PYTHONPATH": str(root / "fake-modules"),
           # As in the build, a page's claim that does not hold fails the run.
           "COURSE_CHECKS": "strict",
           colab_cell.BASE_URL_VARIABLE: mirror.as_uri() + "/"}
    log = root / "nbmake.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "--nbmake",
             "--nbmake-timeout=600", "--overwrite", "-q", *[str(c.relative_to(root)) for c in copies]],
            cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
    yield root, copies, process
    if process.poll() is None:  # a partial test run that never needed the results
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def binder_runs(binder_process):
    """Every page's notebook as nbmake executed it in the Binder environment (started by
    `binder_process`). Returns {page name: (folder, executed notebook)}."""
    if binder_process is None:
        pytest.fail(f"no Binder environment in {BINDER_ENV}: `make test` makes it from binder/")
    root, copies, process = binder_process
    returncode = process.wait()
    report = (root / "nbmake.log").read_text()
    assert returncode == 0, report[-8000:]
    assert f"{len(copies)} passed" in report
    return {copy.stem: (copy.parent, nbformat.read(copy, as_version=4)) for copy in copies}
