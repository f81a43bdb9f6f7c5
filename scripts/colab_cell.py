"""Write the Colab set-up cell at the top of every executable page (run by `make notebooks`).

Google Colab opens a notebook alone: without notebook_utils.py, without data/, and
without the few packages Colab lacks. The first code cell of each page fetches and
installs them there, and does nothing anywhere else. Its download address comes from
the course's GitHub repository (`course.github_repository`: `_config.yml`, or else the
clone's origin) and its package pins from requirements.txt, so neither is written twice
by hand; a test checks every page carries the current cell.
"""

import json
import sys
from pathlib import Path

import course

ROOT = Path(__file__).resolve().parent.parent
MARKER = "# Colab set-up"
# The helpers, the data files they read (the cat photo, the published accuracies) and
# every widget's files (the widgets are inlined from them).
FILES_TO_FETCH = (["notebook_utils.py"]
                  + sorted(str(path.relative_to(ROOT)) for path in (ROOT / "data").iterdir()
                           if path.name != "README.md")
                  + sorted(str(path.relative_to(ROOT)) for path in (ROOT / "widgets").iterdir()))
PACKAGES_COLAB_LACKS = ["celluloid", "mnist1d", "sktime"]
BASE_URL_VARIABLE = "CNN_COURSE_BASE_URL"  # lets the tests point at a local copy


def raw_base_url(root=ROOT):
    """Where Colab fetches the course's files from, or None when no GitHub repository
    is known (course.github_repository)."""
    repository = course.github_repository(root)
    if repository is None:
        return None
    url, branch = repository
    return url.replace("https://github.com/", "https://raw.githubusercontent.com/") + f"/{branch}/"


def pinned(packages, requirements_path=ROOT / "requirements.txt"):
    pins = {}
    for line in Path(requirements_path).read_text().splitlines():
        name, _, version = line.split("#")[0].split(";")[0].strip().partition("==")
        if version:
            pins[name.lower()] = f"{name}=={version.strip()}"
    missing = [p for p in packages if p not in pins]
    if missing:
        raise ValueError(f"{requirements_path} pins no version of {missing}")
    return [pins[p] for p in packages]


def cell_source(root=ROOT):
    base_url = raw_base_url(root)
    # Without a repository the cell holds no address at all, and says how to get one.
    default = json.dumps(base_url) if base_url else "None"
    files = "[" + ",\n                 ".join(json.dumps(f) for f in FILES_TO_FETCH) + "]"
    return f'''{MARKER}: a notebook opened in Google Colab arrives alone. This cell fetches
# the course's helpers and data and installs what Colab lacks; elsewhere it does nothing.
import importlib.util, os, subprocess, sys, urllib.request

if importlib.util.find_spec("google") and importlib.util.find_spec("google.colab"):
    base_url = os.environ.get("{BASE_URL_VARIABLE}", {default})
    if base_url is None:
        raise RuntimeError("This copy of the course names no GitHub repository, so Colab "
                           "cannot fetch its helpers: set repository.url in _config.yml, "
                           "then run `make notebooks`.")
    for path in {files}:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        urllib.request.urlretrieve(base_url + path, path)
    missing = [p for p in {json.dumps(pinned(PACKAGES_COLAB_LACKS))}
               if importlib.util.find_spec(p.split("==")[0]) is None]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)'''


def cell_markdown():
    return f"```{{code-cell}} ipython3\n:tags: [hide-cell]\n\n{cell_source()}\n```\n"


def update_page(page):
    """Insert the set-up cell before the page's first code cell, or refresh it."""
    text = page.read_text()
    first = text.index("```{code-cell}")
    if MARKER in text[first: text.index("\n```\n", first)]:
        end = text.index("\n```\n", first) + len("\n```\n")
        text = text[:first] + cell_markdown() + text[end:]
    else:
        text = text[:first] + cell_markdown() + "\n" + text[first:]
    page.write_text(text)


if __name__ == "__main__":
    for page in [Path(p) for p in sys.argv[1:]] or course.executable_pages():
        update_page(page)
        print(f"Colab set-up cell written in {page}")
