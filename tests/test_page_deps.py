"""Fine-grained re-execution: a helper's edit reaches only the pages that use it."""

import shutil
import sys
from pathlib import Path

import pytest

from conftest import MYST_NOTEBOOK_HEADER, REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "sphinx_ext"))
import page_deps  # noqa: E402


def page(folder, name, code):
    path = folder / "book" / f"{name}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(MYST_NOTEBOOK_HEADER + "".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in code))
    return path


@pytest.fixture
def course(tmp_path):
    for name in ["notebook_utils.py", "requirements.txt"]:
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    shutil.copytree(REPO_ROOT / "widgets", tmp_path / "widgets")
    pages = {
        "walk": page(tmp_path, "walk", ["from notebook_utils import setup\nsetup()",
                                        "from notebook_utils import random_walk\nrandom_walk()"]),
        "cat": page(tmp_path, "cat", ["%matplotlib inline\nimport notebook_utils as nu",
                                      "nu.load_cat()"]),
        "mnist": page(tmp_path, "mnist", ["from notebook_utils import load_mnist1d\nload_mnist1d()"]),
    }
    return tmp_path, pages


def fingerprints(root, pages):
    return {name: page_deps.page_fingerprint(path, root)[0] for name, path in pages.items()}


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def changed_after(course, change):
    root, pages = course
    before = fingerprints(root, pages)
    change(root)
    after = fingerprints(root, pages)
    return sorted(name for name in pages if before[name] != after[name])


def test_the_helpers_a_page_uses_are_found(course):
    root, pages = course
    assert page_deps.page_fingerprint(pages["cat"], root)[1] == ["load_cat"]
    assert page_deps.page_fingerprint(pages["walk"], root)[1] == ["random_walk", "setup"]


def test_editing_a_helper_changes_only_the_pages_that_use_it(course):
    assert changed_after(course, lambda root: edit(
        root / "notebook_utils.py", "args = get_dataset_args()", "args = get_dataset_args()  # edited")) == ["mnist"]


def test_a_helper_used_by_a_helper_counts(course):
    # load_cat reads through load_rgb_image; setup styles figures through COURSE_STYLE.
    assert changed_after(course, lambda root: edit(
        root / "notebook_utils.py", 'image = image[..., :3]', 'image = image[..., :3]  # edited')) == ["cat"]
    assert changed_after(course, lambda root: edit(
        root / "notebook_utils.py", '"font.size": 10', '"font.size": 11')) == ["walk"]


def test_a_data_file_or_a_pinned_package_counts(course):
    assert changed_after(course, lambda root: (root / "data" / "cat.jpg").write_bytes(b"other")) == ["cat"]
    assert changed_after(course, lambda root: edit(
        root / "requirements.txt", "numpy==", "numpy==0.")) == ["cat", "mnist", "walk"]


def test_editing_an_unused_helper_changes_no_page(course):
    assert changed_after(course, lambda root: edit(
        root / "notebook_utils.py", "def cosine_decay(", "def cosine_decay(  # edited\n        ")) == []


def test_another_seed_or_check_mode_re_executes_every_page(course, monkeypatch):
    """COURSE_SEED moves every page to another random draw; COURSE_CHECKS decides what a
    claim that does not hold does: a build with either changed must not reuse outputs."""
    monkeypatch.delenv("COURSE_SEED", raising=False)
    monkeypatch.delenv("COURSE_CHECKS", raising=False)
    assert changed_after(course, lambda root: monkeypatch.setenv("COURSE_SEED", "1")) == ["cat", "mnist", "walk"]
    assert changed_after(course, lambda root: monkeypatch.setenv("COURSE_CHECKS", "note")) == ["cat", "mnist", "walk"]
    assert changed_after(course, lambda root: monkeypatch.setenv("PATH_UNRELATED", "1")) == []


def test_a_stale_page_loses_its_cache_records_made_in_any_folder(tmp_path):
    """The execution cache keeps, for each record, the absolute path of the page it was
    made from: a cache copied from another clone (as the tests' fork build does) or a
    moved clone holds records of other folders, which must go too, and only the stale
    page's."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache_path = tmp_path / "cache"
    cache = get_cache(str(cache_path))
    for folder in ("elsewhere", "here"):
        for name in ("walk", "cat", "walk_more"):
            cell = nbformat.v4.new_code_cell(f"{folder}, {name}", execution_count=1)
            notebook = nbformat.v4.new_notebook(cells=[cell])
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, str(tmp_path / folder / "book" / f"{name}.md")))
    assert len(cache.list_cache_records()) == 6
    root = tmp_path / "here"
    removed = page_deps.forget_executions(cache_path, [root / "book" / "walk.md"], root)
    assert sorted(removed) == [str(tmp_path / folder / "book" / "walk.md") for folder in ("elsewhere", "here")]
    assert sorted(Path(r.uri).name for r in cache.list_cache_records()) == ["cat.md", "cat.md", "walk_more.md", "walk_more.md"]
