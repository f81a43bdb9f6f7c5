"""Live Code with the Thebe that the book serves itself, not one fetched from a CDN.

sphinx-thebe 0.3 loads Thebe 0.8.2 from unpkg.com when the reader clicks "Live Code",
with no integrity check. The book serves Thebe 0.9 instead: `make` installs the npm
package (version and hash pinned in package.json) into node_modules/thebe
(scripts/install_thebe.py), and this extension copies its bundle into `_static/thebe/`
and points sphinx-thebe's `THEBE_JS_URL` there, by a path relative to each page.
`_static/course-thebe.js` adapts sphinx-thebe's calls to Thebe 0.9 (see there).

Only the bundle is copied: its scripts (the main one and the chunks it loads on demand),
their licence notices and its style sheet; not the source maps (12 MB, for debugging).
"""

import re
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

THEBE_JS_URL_LINE = re.compile(r'const THEBE_JS_URL = "[^"]*"')
BUNDLE_PARTS = ["*.js", "*.LICENSE.txt", "thebe.css"]
SERVED_AT = "_static/thebe"


def thebe_bundle(app):
    """The folder of Thebe's bundle in node_modules/; a clear error when it is missing."""
    bundle = Path(app.srcdir) / "node_modules" / "thebe" / "lib"
    if not (bundle / "index.js").is_file():
        raise ExtensionError(
            f"Thebe is not installed ({bundle / 'index.js'} is missing): `make html` "
            "installs it, as does `python3 scripts/install_thebe.py`")
    return bundle


def check_bundle(app):
    if app.builder.format == "html":
        thebe_bundle(app)  # fail before the pages are executed, not after


def local_thebe(app, pagename, templatename, context, doctree):
    """Point sphinx-thebe's inline `THEBE_JS_URL` at the book's copy of Thebe."""
    url = context["pathto"](f"{SERVED_AT}/index.js", 1)
    scripts, replaced = [], 0
    for script in context.get("script_files", []):
        body = getattr(script, "attributes", {}).get("body", "")
        if THEBE_JS_URL_LINE.search(body):
            body = THEBE_JS_URL_LINE.sub(f'const THEBE_JS_URL = "{url}"', body)
            script = type(script)(script.filename, priority=script.priority,
                                  **{**script.attributes, "body": body})
            replaced += 1
        scripts.append(script)
    if not replaced:
        raise ExtensionError(f"{pagename}: sphinx-thebe's THEBE_JS_URL script not found; "
                             "has sphinx-thebe changed how it loads Thebe?")
    context["script_files"] = scripts


def copy_bundle(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / SERVED_AT
    target.mkdir(parents=True, exist_ok=True)
    for pattern in BUNDLE_PARTS:
        for path in thebe_bundle(app).glob(pattern):
            shutil.copy2(path, target / path.name)


def setup(app):
    app.connect("builder-inited", check_bundle)
    # Before course_html drops the duplicate scripts (priority 900).
    app.connect("html-page-context", local_thebe, priority=800)
    app.connect("build-finished", copy_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
