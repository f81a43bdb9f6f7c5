"""HTML plumbing of the book.

- MathJax is served from the book itself, so that equations render offline and no
  page loads a script from a third-party host.
- Bibliography entries get an ARIA role that is not deprecated.
- Each script is included once: sphinx-thebe registers its inline configuration on an
  event that fires twice, and the second copy is a JavaScript error ("THEBE_JS_URL has
  already been declared").
- An edited static file (the course's CSS) reaches the built book: Sphinx copies static
  files only when it writes at least one page, so a build after a CSS-only edit would
  keep the old copy. The landing page is then read again, and everything is copied.
- The footer's copyright year is the one `_config.yml` gives. Sphinx replaces the
  current year in it with the year of SOURCE_DATE_EPOCH; the pages' `setup()` sets that
  to 0 for Matplotlib, and a build started from a process that called it (a test, a
  notebook) printed "Copyright 1970". A zero epoch is not a date: it is ignored here.

MathJax 3 comes from the `django-static-mathjax` wheel (plain static files; Django is
not needed). Only the parts the book uses are copied into `_static/mathjax/`.
"""

import os
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

# What tex-chtml.js loads: the fonts, TeX extensions on demand, accessibility modules.
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y"]


def mathjax_source():
    try:
        import mathjax  # the django-static-mathjax package
    except ImportError as error:
        raise ExtensionError(
            "MathJax is not installed: `pip install -r requirements.txt` installs it "
            "(package django-static-mathjax)"
        ) from error
    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").is_file():
        raise ExtensionError(f"MathJax files not found in {source}")
    return source


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # An inline script's file name is None or "", depending on who added it.
        key = (getattr(script, "filename", None) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def accessible_bibliography(app, pagename, templatename, context, doctree):
    """Docutils marks bibliography entries with the deprecated ARIA role doc-biblioentry,
    inside a role="list": make them the list items they are."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def static_files_changed(app, env, added, changed, removed):
    if app.builder.format != "html":
        return []
    built = Path(app.outdir) / "_static"
    for folder in app.config.html_static_path:
        source = Path(app.confdir, folder).resolve()
        if not source.is_relative_to(Path(app.confdir).resolve()):
            continue  # an extension's files (some are templates, rendered when copied)
        for path in (p for p in source.rglob("*") if p.is_file()):
            copy = built / path.relative_to(source)
            if not copy.is_file() or copy.read_bytes() != path.read_bytes():
                return [app.config.root_doc]
    return []


def ignore_zero_source_date(app, config):
    if os.environ.get("SOURCE_DATE_EPOCH") == "0":
        del os.environ["SOURCE_DATE_EPOCH"]


def setup(app):
    mathjax_source()  # fail early, with a clear message
    # Before Sphinx's own correction of the copyright year (priority 800).
    app.connect("config-inited", ignore_zero_source_date, priority=100)
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)  # after the others
    app.connect("html-page-context", accessible_bibliography)
    app.connect("env-get-outdated", static_files_changed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
