"""Execute the pages that need it in parallel, one per core, before Sphinx reads them.

MyST-NB executes a page when Sphinx reads it, one page after the other, and a page's
kernel keeps about one core busy (TensorFlow runs the course's small operations on one
thread). So on two cores a cold build would take twice as long as it needs to.

Before Sphinx reads the sources (after `page_deps` has dropped the stale cache records),
this extension finds the pages that MyST-NB would execute: MyST notebooks with no
matching record in the execution cache. It executes them in parallel, the longest first
(by their last execution time), exactly as MyST-NB would (same reader, working folder,
timeout and error policy), and stores them in the cache. When Sphinx then reads them,
MyST-NB takes their outputs from the cache.

The number of pages executed at once is the number of cores this process may use, or
the environment variable COURSE_EXECUTION_WORKERS; 1 leaves execution to MyST-NB.
"""

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

WORKERS_VARIABLE = "COURSE_EXECUTION_WORKERS"
CHECKS_VARIABLE = "COURSE_CHECKS"
TIMES_RECORD = "course-execution-times.json"  # {docname: seconds of its last execution}


def workers():
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not value:
        return len(os.sched_getaffinity(0))
    if not value.isdigit() or int(value) < 1:
        raise ExtensionError(f"{WORKERS_VARIABLE} must be a whole number of at least 1, got {value!r}")
    return int(value)


def pages_to_execute(env, docnames, cache):
    """[(docname, path, notebook, read format)] of the pages that MyST-NB would execute."""
    from myst_nb.core.read import create_nb_reader

    config, pages = env.mystnb_config, []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix != ".md":
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, config, text)
        if reader is None:  # plain Markdown: nothing to execute
            continue
        notebook = reader.read(text)
        # Excluded from execution, per-page MyST-NB settings or kernel aliases: left to
        # MyST-NB, which alone knows how to apply them.
        if (any(PurePosixPath(path.as_posix()).match(pattern)
                for pattern in config.execution_excludepatterns)
                or config.metadata_key in notebook.metadata or config.kernel_rgx_aliases):
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pages.append((docname, path, notebook, reader.read_fmt))
    return pages


def execute_pages_in_parallel(app, env, docnames):
    """Sphinx's env-before-read-docs: execute and cache what the read would execute."""
    config = env.mystnb_config
    count = workers()
    if config.execution_mode != "cache" or count < 2:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord
    from jupyter_cache.executors.utils import single_nb_execution

    cache_path = Path(config.execution_cache_path)
    cache = get_cache(str(cache_path))
    pages = pages_to_execute(env, docnames, cache)
    if len(pages) < 2:  # one page gains nothing: MyST-NB executes it as usual
        return
    times_record = cache_path / TIMES_RECORD
    last_times = json.loads(times_record.read_text()) if times_record.is_file() else {}
    pages.sort(key=lambda page: -last_times.get(page[0], float("inf")))  # unknown ones first
    logger.info(f"executing {len(pages)} pages, {min(count, len(pages))} at a time")

    # The cache's database is written from this thread only, before and after the runs.
    stage_records = {}
    for docname, path, _, read_format in pages:
        stage_records[docname] = cache.add_nb_to_project(str(path), read_data=read_format)
        NbProjectRecord.remove_tracebacks([stage_records[docname].pk], cache.db)

    def execute(page):
        _, path, notebook, _ = page
        return single_nb_execution(notebook, cwd=str(path.parent), timeout=config.execution_timeout,
                                   allow_errors=config.execution_allow_errors, meta_override=True)

    start, failures = time.perf_counter(), []
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [(page, pool.submit(execute, page)) for page in pages]
        for (docname, path, notebook, _), future in futures:
            try:
                result = future.result()
            except Exception as error:  # e.g. the kernel died: not a cell's error
                failures.append((docname, f"{error.__class__.__name__}: {error}"))
                continue
            if result.err is not None:  # the cell's error, and its traceback if asked for
                message = f"Executing notebook failed: {result.err}"
                if config.execution_show_tb:
                    message += f"\n{result.exc_string}"
                failures.append((docname, message))
                NbProjectRecord.set_traceback(stage_records[docname].uri, result.exc_string, cache.db)
                continue
            logger.info(f"Executed notebook in {result.time:.2f} seconds", location=docname)
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, stage_records[docname].uri,
                              data={"execution_seconds": result.time}),
                check_validity=False, overwrite=True)
            last_times[docname] = round(result.time, 2)
    times_record.write_text(json.dumps(last_times, indent=1, sort_keys=True) + "\n")
    logger.info(f"executed {len(pages) - len(failures)} pages in {time.perf_counter() - start:.1f} s")
    # A failed page has no cache record. Where errors must stop the build (the course's
    # setting), they stop it here; otherwise MyST-NB executes those pages again when it
    # reads them, and reports their errors its own way.
    if failures and config.execution_raise_on_error:
        for docname, message in failures:
            logger.warning(f"{env.doc2path(docname)}: {message}", type="mystnb", subtype="exec")
        raise ExtensionError("executing failed (see above): "
                             + ", ".join(str(env.doc2path(docname)) for docname, _ in failures))


def setup(app):
    # In the book build, a page's claim about its own results that does not hold fails
    # the build (notebook_utils.check); a reader's own session shows a note instead. The
    # kernels, MyST-NB's and this extension's, inherit this process's environment.
    os.environ.setdefault(CHECKS_VARIABLE, "strict")
    # After page_deps (env-get-outdated), before MyST-NB reads and would execute.
    app.connect("env-before-read-docs", execute_pages_in_parallel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
