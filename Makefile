# The course's commands. `make book` and `make test` do all the set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD_FLAGS := -W -n --keep-going

.PHONY: book html pdf test bench figures notebooks system-packages clean help

help:
	@echo "make book       build the HTML and the PDF book (installs what it needs)"
	@echo "make html       build only the HTML book, in _build/html"
	@echo "make pdf        build only the PDF book, _build/latex/cnn-course.pdf"
	@echo "make test       run every test: notebooks, helpers, figures, the built HTML"
	@echo "make bench      time a cold and a warm build, weigh the pages (budgets)"
	@echo "make figures    regenerate img/ and data/cat.jpg from figures.py"
	@echo "make notebooks  regenerate the .ipynb twin of every book/*.md page"
	@echo "make clean      remove _build"

# The virtual environment is made exactly as Binder makes its own (binder/), and
# rebuilt when the pinned requirements change.
$(BIN)/.installed: requirements.txt pyproject.toml binder/requirements.txt binder/postBuild
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r binder/requirements.txt
	PATH="$(abspath $(BIN)):$$PATH" bash binder/postBuild
	touch $@

system-packages:
	bash scripts/system-packages.sh

book: html pdf

# jupyter-cache re-executes a page only when its code changes: outputs also depend on
# the shared helpers and the data, so a change there clears the cache and the pages
# Sphinx has already read.
_build/.jupyter_cache: notebook_utils.py data/cat.jpg requirements.txt
	rm -rf $@ _build/.doctrees _build/jupyter_execute

html: $(BIN)/.installed system-packages _build/.jupyter_cache
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)

# The PDF is also copied into the HTML site, whose landing page links to it.
pdf: $(BIN)/.installed system-packages _build/.jupyter_cache
	rm -rf _build/latex
	$(BIN)/jupyter-book build . --builder pdflatex $(BUILD_FLAGS)
	mkdir -p _build/html
	cp _build/latex/cnn-course.pdf _build/html/cnn-course.pdf

# Everything but the test that builds a Binder environment runs without network.
test: $(BIN)/.installed system-packages
	scripts/offline.sh $(BIN)/python -m pytest -m "not installs_packages"
	$(BIN)/python -m pytest -m installs_packages

bench: $(BIN)/.installed system-packages
	$(BIN)/python scripts/bench.py

figures: $(BIN)/.installed
	$(BIN)/python -m figures

# Pages with a kernel (jupytext notebooks) get the Colab set-up cell and an .ipynb twin
# without outputs (what Colab and Binder open). --update keeps the twins' cell ids, so
# that a regenerated twin differs from the committed one only where the page changed.
NOTEBOOK_PAGES = $(shell grep -l "^kernelspec:" book/*.md)
notebooks: $(BIN)/.installed
	$(BIN)/python scripts/colab_cell.py $(NOTEBOOK_PAGES)
	$(BIN)/jupytext --update --to ipynb $(NOTEBOOK_PAGES)

clean:
	rm -rf _build
