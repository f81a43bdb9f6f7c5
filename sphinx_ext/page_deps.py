"""Re-execute a page when something its code uses changes, and only then.

Jupyter-cache re-executes a page when the source of its code cells changes. Its outputs
also depend on the helpers it imports from `notebook_utils.py`, on the files those
helpers read (`data/`, `widgets/`) and on the pinned packages (`requirements.txt`).
Before Sphinx reads the sources, this extension computes a fingerprint of all that for
every page; a page whose fingerprint differs from the one of its last execution loses
its cache record and is read again, so it re-executes. The other pages keep theirs.

The fingerprint also covers the environment variables that change outputs (COURSE_SEED,
COURSE_CHECKS), so that a build with another seed re-executes its pages.

A helper's fingerprint covers its own source, the module-level names it uses (other
helpers, constants), recursively, and the repository files named by a string in them.
"""

import ast
import hashlib
import json
import os
import sys
from pathlib import Path

from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import course  # noqa: E402

logger = logging.getLogger(__name__)

HELPERS_MODULE = "notebook_utils"
# Every page's outputs depend on the pinned packages, and on the environment variables
# that move a page to another random draw (COURSE_SEED) or decide what a claim that does
# not hold does (COURSE_CHECKS: fail the build, or show a note).
SHARED_FILES = ["requirements.txt"]
OUTPUT_VARIABLES = ["COURSE_SEED", "COURSE_CHECKS"]
# Where a file named in a helper (e.g. "cat.jpg", "player.js") is looked for.
FILE_FOLDERS = ["", "data", "widgets", "img"]
RECORD_NAME = "course-page-deps.json"


def _definitions(tree):
    """The module's top-level names (functions, classes, assigned constants) -> node."""
    definitions = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    definitions[target.id] = node
    return definitions


def _source_segment(lines, node):
    """``ast.get_source_segment(source, node)`` from the source's lines, split once (the
    function splits the whole source at every call: seconds for a module of this size)."""
    start, end = node.lineno - 1, node.end_lineno - 1
    if start == end:
        return lines[start].encode()[node.col_offset:node.end_col_offset].decode()
    return "".join([lines[start].encode()[node.col_offset:].decode(), *lines[start + 1:end],
                    lines[end].encode()[:node.end_col_offset].decode()])


def _digest(*parts):
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else str(part).encode())
        sha.update(b"\0")
    return sha.hexdigest()


def helper_fingerprints(root):
    """{name defined in notebook_utils.py: fingerprint of it and of all it depends on}."""
    root = Path(root)
    source = (root / f"{HELPERS_MODULE}.py").read_text()
    definitions = _definitions(ast.parse(source))
    lines = source.splitlines(keepends=True)
    own, uses = {}, {}
    for name, node in definitions.items():
        files = []
        for constant in ast.walk(node):
            if isinstance(constant, ast.Constant) and isinstance(constant.value, str) \
                    and 0 < len(constant.value) < 200 and "\n" not in constant.value:
                for folder in FILE_FOLDERS:
                    candidate = root / folder / constant.value
                    if candidate.is_file():
                        files.append(_digest(candidate.relative_to(root), candidate.read_bytes()))
        own[name] = _digest(_source_segment(lines, node), *sorted(files))
        uses[name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in definitions}
    fingerprints = {}
    for name in definitions:
        closure, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in closure:
                closure.add(current)
                todo.extend(uses[current])
        fingerprints[name] = _digest(*(f"{n}={own[n]}" for n in sorted(closure)))
    return fingerprints


def helpers_used(code_cells, known):
    """The names of notebook_utils that code cells use (all of them when in doubt)."""
    used, aliases = set(), set()
    for source in code_cells:
        # IPython's magics and shell escapes are not Python.
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            return set(known)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == HELPERS_MODULE:
                for alias in node.names:
                    if alias.name == "*":
                        return set(known)
                    used.add(alias.name)
            elif isinstance(node, ast.Import):
                aliases.update(a.asname or a.name for a in node.names if a.name == HELPERS_MODULE)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in aliases:
                used.add(node.attr)
    return used & set(known)


def page_fingerprint(page, root, helpers=None):
    """The fingerprint of what a page's outputs depend on besides its own code."""
    import jupytext

    root = Path(root)
    helpers = helper_fingerprints(root) if helpers is None else helpers
    notebook = jupytext.read(page)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    used = sorted(helpers_used(cells, helpers))
    shared = [_digest(name, (root / name).read_bytes()) for name in SHARED_FILES if (root / name).is_file()]
    shared += [f"{name}={os.environ[name]}" for name in OUTPUT_VARIABLES if os.environ.get(name)]
    return _digest(*(f"{name}={helpers[name]}" for name in used), *shared), used


def forget_executions(cache_path, sources, root):
    """Remove from the execution cache at ``cache_path`` the records of the pages
    ``sources`` (paths under ``root``). A record names the absolute path of the page it
    was made from, which may be another folder (a cache copied from another clone, or a
    clone moved): records are matched by the page's path within the course."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    wanted = {Path(source).resolve().relative_to(Path(root).resolve()).parts for source in sources}
    removed = []
    for record in cache.list_cache_records():
        parts = Path(record.uri).parts
        if any(parts[-len(page):] == page for page in wanted):
            cache.remove_cache(record.pk)
            removed.append(record.uri)
    return removed


def invalidate_stale_pages(app, env, added, changed, removed):
    """Sphinx's env-get-outdated: the pages to read (and so to execute) again."""
    # MyST-NB settles its configuration, the cache's place included, when the build starts.
    if env.mystnb_config.execution_mode != "cache":
        return []
    cache_path = Path(env.mystnb_config.execution_cache_path)
    record = cache_path / RECORD_NAME
    stored = json.loads(record.read_text()) if record.is_file() else {}
    helpers = helper_fingerprints(app.srcdir)
    current, stale = {}, []
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        if source.suffix != ".md" or not course.is_executable(source):
            continue
        current[docname], _ = page_fingerprint(source, app.srcdir, helpers)
        if stored.get(docname) != current[docname]:
            stale.append(docname)
    if stale and cache_path.exists():
        forget_executions(cache_path, [env.doc2path(docname) for docname in stale], app.srcdir)
    cache_path.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    outdated = [d for d in stale if d in stored]
    if outdated:
        logger.info(f"re-executing {', '.join(outdated)}: a helper, file or package they use, or COURSE_SEED or COURSE_CHECKS, changed")
    return [d for d in stale if d not in added and d not in changed]


def setup(app):
    app.connect("env-get-outdated", invalidate_stale_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
