# The course's commands. `make book` and `make test` do all the set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BINDER_ENV := _build/binder-env
COLAB_ENV := _build/colab-env
# One source for the strict build's flags and the list of pages: scripts/course.py.
BUILD_FLAGS = $(shell $(PYTHON) scripts/course.py build-flags)

.PHONY: book html pdf lab test test-environments bench robustness figures notebooks system-packages clean help

help:
	@echo "make book       build the HTML and the PDF book (installs what it needs)"
	@echo "make html       build only the HTML book, in _build/html"
	@echo "make pdf        build only the PDF book, _build/latex/cnn-course.pdf"
	@echo "make lab        run the pages in JupyterLab (Python packages only: no TeX, no browser)"
	@echo "make test       run every test: helpers, widgets, pages, the built HTML and PDF"
	@echo "make bench      time builds and pages, weigh the pages (the course's budgets)"
	@echo "make robustness run the pages for seeds 0-4, another numerical path and Colab's versions"
	@echo "                (PAGES=\"book/a.md book/b.md\" for some pages only)"
	@echo "make figures    regenerate img/ and data/cat.jpg from figures.py"
	@echo "make notebooks  write the Colab cell and the .ipynb twin of every page"
	@echo "make clean      remove _build"

# The virtual environment is made exactly as Binder makes its own (binder/), and
# rebuilt when the pinned requirements change.
$(BIN)/.installed: requirements.txt pyproject.toml binder/requirements.txt binder/postBuild binder/ipython_kernel_config.py
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r binder/requirements.txt
	PATH="$(abspath $(BIN)):$$PATH" bash binder/postBuild
	touch $@

# A fresh environment made from binder/ alone, as mybinder.org makes it: the tests run
# every page there once (nbmake), which is also their Colab simulation.
$(BINDER_ENV)/.installed: requirements.txt pyproject.toml binder/requirements.txt binder/postBuild binder/ipython_kernel_config.py
	rm -rf $(BINDER_ENV)
	$(PYTHON) -m venv $(BINDER_ENV)
	$(BINDER_ENV)/bin/pip install --quiet --upgrade pip
	$(BINDER_ENV)/bin/pip install --quiet -r binder/requirements.txt
	PATH="$(abspath $(BINDER_ENV))/bin:$$PATH" bash binder/postBuild
	touch $@

# From npm: ESLint, for the course's JavaScript (versions and hashes pinned in
# package-lock.json), and Thebe, which the HTML book serves for Live Code (version and
# hash pinned in package.json; its tarball alone, as its npm dependencies are already in
# its bundle: scripts/install_thebe.py).
node_modules/.installed: package.json package-lock.json scripts/install_thebe.py | system-packages
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) scripts/install_thebe.py
	touch $@

system-packages:
	bash scripts/system-packages.sh

book: html pdf

# Execution is cached (_build/.jupyter_cache): a page re-executes when its code changes,
# or when a helper, data file or pinned package it uses changes (sphinx_ext/page_deps.py).
html: $(BIN)/.installed system-packages node_modules/.installed
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)

# The PDF is also copied into the HTML site, whose landing page links to it.
pdf: $(BIN)/.installed system-packages
	rm -rf _build/latex
	$(BIN)/jupyter-book build . --builder pdflatex $(BUILD_FLAGS)
	mkdir -p _build/html
	cp _build/latex/cnn-course.pdf _build/html/cnn-course.pdf

# The light path, for students who only run the pages: the course's Python packages and
# JupyterLab, whose own dependencies the course's pins constrain; no TeX, no Chromium,
# no npm. Markdown pages open as notebooks (binder/postBuild sets that up).
JUPYTERLAB := jupyterlab==4.6.6
$(BIN)/.lab-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet $(JUPYTERLAB) -c requirements.txt
	touch $@

lab: $(BIN)/.lab-installed
	$(BIN)/jupyter lab book/

# The package installs come first, side by side (each keeps about one core busy); then
# every test runs without network, except the few that ask PyPI whether the pins exist
# for other Pythons (marked `network`).
test:
	$(MAKE) --jobs=2 --output-sync=target test-environments
	scripts/offline.sh $(BIN)/python -m pytest -m "not network"
	$(BIN)/python -m pytest -m network

test-environments: $(BIN)/.installed system-packages $(BINDER_ENV)/.installed node_modules/.installed

bench: $(BIN)/.installed system-packages node_modules/.installed
	$(BIN)/python scripts/bench.py

# Colab's package versions (scripts/colab-requirements.txt), for the robustness run.
$(COLAB_ENV)/.installed: scripts/colab-requirements.txt
	rm -rf $(COLAB_ENV)
	$(PYTHON) -m venv $(COLAB_ENV)
	$(COLAB_ENV)/bin/pip install --quiet --upgrade pip
	$(COLAB_ENV)/bin/pip install --quiet -r scripts/colab-requirements.txt
	touch $@

# Every page for seeds 0-4, along a second numerical path and on Colab's versions: the
# table of each page's glued numbers by run, and every claim that did not hold. Not part
# of `make test`: run it before resolving an issue that touches a page that trains.
robustness: $(BIN)/.installed $(COLAB_ENV)/.installed
	$(BIN)/python scripts/robustness.py $(if $(PAGES),--pages $(PAGES))

figures: $(BIN)/.installed
	$(BIN)/python -m figures

# Pages with a kernel (MyST notebooks) get the Colab set-up cell and an .ipynb twin
# without outputs (what Colab and Binder open). --update keeps the twins' cell ids, so
# that a regenerated twin differs from the committed one only where the page changed.
notebooks: $(BIN)/.installed
	$(BIN)/python scripts/colab_cell.py
	$(BIN)/jupytext --update --to ipynb $$($(BIN)/python scripts/course.py pages)

clean:
	rm -rf _build
