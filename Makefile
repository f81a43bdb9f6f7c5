# The course's commands. `make book` and `make test` do all the set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD_FLAGS := -W -n --keep-going

.PHONY: book test bench figures notebooks system-packages clean help

help:
	@echo "make book       build the HTML book in _build/html (installs what it needs)"
	@echo "make test       run every test: notebooks, helpers, figures, the built HTML"
	@echo "make bench      time a cold and a warm build, weigh the pages (budgets)"
	@echo "make figures    regenerate img/ and data/cat.jpg from figures.py"
	@echo "make notebooks  regenerate the .ipynb twin of every book/*.md page"
	@echo "make clean      remove _build"

# The virtual environment is rebuilt when the pinned requirements change.
$(BIN)/.installed: requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

system-packages:
	bash scripts/system-packages.sh

book: $(BIN)/.installed system-packages
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)

test: $(BIN)/.installed system-packages
	$(BIN)/python -m pytest

bench: $(BIN)/.installed system-packages
	$(BIN)/python scripts/bench.py

figures: $(BIN)/.installed
	$(BIN)/python -m figures

# Pages with a kernel (jupytext notebooks) get an .ipynb twin without outputs.
NOTEBOOK_PAGES := $(shell grep -l "^kernelspec:" book/*.md)
notebooks: $(BIN)/.installed
	$(BIN)/jupytext --to ipynb $(NOTEBOOK_PAGES)

clean:
	rm -rf _build
