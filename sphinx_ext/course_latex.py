"""LaTeX (PDF book) plumbing of the book.

- The title page's date is the date of the last commit: it changes only when the
  course does, so two builds of the same commit print the same PDF. Without git (an
  exported tarball), the reproducible-builds variable SOURCE_DATE_EPOCH gives the
  date when it is set to a real date, and the day of the build otherwise. (Sphinx's
  own default takes SOURCE_DATE_EPOCH as it is: the pages' set-up puts it to 0 for
  Matplotlib, and the PDF was dated 1 January 1970.)
- Sub-figures are captioned by their own text, which starts with "(a)", "(b)" as the
  HTML book shows it: LaTeX's subcaption package must not add a second "(a)".
- The bibliography page of the HTML book is a chapter of the PDF, with its title and
  its introduction: the list of works inside it must not open a chapter of its own
  (a second "Bibliography" heading, page and entry in the contents).
"""

import datetime
import os
import subprocess

from sphinx.builders.latex import LaTeXBuilder

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

PREAMBLE = r"""
% The sub-figures' own captions carry their letters, "(a) ...".
\captionsetup[subfigure]{labelformat=empty}
% The list of works, without the chapter heading, page break and contents entry that
% Sphinx's class gives it: the bibliography page's chapter holds it.
\renewenvironment{sphinxthebibliography}[1]
  {\begingroup\def\chapter*##1{}\begin{thebibliography}{#1}}
  {\end{thebibliography}\endgroup}
"""


def last_commit_date(folder):
    """The committer date of the last commit of the repository holding ``folder``, or
    None when there is no git, no repository or no commit."""
    try:
        result = subprocess.run(["git", "-C", str(folder), "log", "-1", "--format=%cs"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return datetime.date.fromisoformat(result.stdout.strip())


def book_date(folder):
    """The date printed on the title page (see the module's docstring)."""
    date = last_commit_date(folder)
    if date is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if epoch.isdigit() and int(epoch) > 0:
            date = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
        else:
            date = datetime.date.today()
    return date


def as_text(date):
    """``date`` written out in English whatever the locale: "25 November 2026"."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def configure_latex(app, config):
    elements = dict(config.latex_elements)
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def date_the_title_page(app):
    # The LaTeX builder has just computed its date from `today` (which the HTML book
    # does not use: setting it would make every new commit day re-read every page).
    if isinstance(app.builder, LaTeXBuilder):
        app.builder.context["date"] = as_text(book_date(app.confdir))


def setup(app):
    # After sphinx-jupyterbook-latex (priority 500), which rewrites the preamble.
    app.connect("config-inited", configure_latex, priority=900)
    app.connect("builder-inited", date_the_title_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
