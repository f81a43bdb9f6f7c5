"""The book's repository links, from `_config.yml` or from the clone's origin.

With a GitHub address in `_config.yml`, nothing changes. With the placeholder there, the
address of the clone's `origin` remote is used when it is on GitHub (a fork published
by its own workflow needs no editing). With neither, the book gets no launch buttons
and no repository link, rather than links to nowhere, and the build says so in one line.
"""

import shutil
import sys
from pathlib import Path

from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import course  # noqa: E402

logger = logging.getLogger(__name__)


def set_repository(app, config):
    options = dict(config.html_theme_options or {})
    repository = course.github_repository(app.srcdir)
    if repository is None:
        # The theme then still offers the page's notebook for download, but builds no
        # launch link (Binder, Colab, Live Code) without a repository to point at.
        for option in ("repository_url", "repository_branch"):
            options.pop(option, None)
        options.pop("launch_buttons", None)
        options["use_repository_button"] = False
        logger.info("no GitHub repository (set repository.url in _config.yml, or clone from "
                    "GitHub): the book has no launch buttons and no repository link")
    else:
        options["repository_url"], options["repository_branch"] = repository
    config.html_theme_options = options


def offer_notebook_download(app, pagename, templatename, context, doctree):
    """Without launch buttons, the theme stops offering a page's notebook for download:
    offer it as the theme does (the executed notebook, copied into _sources/)."""
    if app.config.html_theme_options.get("repository_url"):
        return  # the theme's launch buttons offer it
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # After Jupyter Book has put _config.yml's values into the Sphinx configuration.
    app.connect("config-inited", set_repository, priority=900)
    # Before the theme draws its header buttons (priority 501).
    app.connect("html-page-context", offer_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
