# The README's two commands:  make lab   and   make test
# Both create the virtual environment (.venv) first if it is missing or out of date.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help lab student test unit lint format env nav benchmark clean browser demo book

# The environment, (re)built when pyproject.toml is newer than it (every target below depends on it).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

env: $(STAMP)  ## create or update the environment only

help:  ## list every target with what it does
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "; print "Targets (make <target>):"} {printf "  %-10s %s\n", $$1, $$2}'

# JupyterLab refuses to run as root unless told (containers, cloud VMs): pass --allow-root only then.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The server's root is student/ (the folder of the file it opens), so the index is /lab/tree/00_index.ipynb.
# LabApp.default_url makes that the URL the server prints (and where / redirects), not the Launcher's /lab.
LAB_INDEX := /lab/tree/00_index.ipynb

lab: $(STAMP)  ## open the student edition in JupyterLab, on the index (creates the notebooks missing from student/)
	$(BIN)/python tools/make_student_edition.py
	@echo "Open the course at the URL below that ends in $(LAB_INDEX)?token=... (JupyterLab opens it in a browser if it finds one)."
	$(BIN)/jupyter lab student/00_index.ipynb --LabApp.default_url=$(LAB_INDEX) $(ROOT_FLAG)

student: $(STAMP)  ## regenerate the whole student edition from notebooks/*.py (overwrites student/)
	$(BIN)/python tools/make_student_edition.py --force

test: $(STAMP) browser lint  ## lint, then the whole test suite, notebooks in quick mode
	GAN_LESSONS_QUICK=1 MPLBACKEND=agg $(BIN)/python -m pytest

# The fast loop while you work: tests/ without the notebooks (nbval), the browser test and the tests marked
# slow (markers in pyproject.toml); under two minutes on a 2-core machine. `make test` runs everything.
unit: $(STAMP)  ## the unit tests alone, quick mode (no notebooks, browser or slow tests; under 2 minutes)
	GAN_LESSONS_QUICK=1 MPLBACKEND=agg $(BIN)/python -m pytest tests -m "not notebook and not browser and not slow"

lint: $(STAMP)  ## ruff: lint and format check (configured in pyproject.toml); `make format` fixes what it can
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## ruff: fix what it can and reformat
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Debian's chromium for tests/test_browser.py (Playwright drives it; no browser download). CI runs as
# root; elsewhere install it yourself. If it cannot be installed, the browser test fails and says so.
browser:  ## install Debian's chromium for the browser test, if missing (as root)
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "WARNING: could not install chromium: tests/test_browser.py will fail"

# Demo mode for instructors: the dashboards without code, in Voila on http://127.0.0.1:$(PORT)/
# (make demo CHAPTER=04 for one chapter's; tools/demo.py lists them).
CHAPTER ?=
PORT    ?= 8866
demo: $(STAMP)  ## the course's dashboards full-screen, without code (Voila)
	$(BIN)/python tools/demo.py $(if $(CHAPTER),--chapter $(CHAPTER),) --port $(PORT)

# The static HTML book in build/book/ (open build/book/index.html; it works offline). Chapters run in
# full mode, so the book shows the real results: 22 to 25 minutes on a 2-core CPU (the sum of the
# chapters' full-mode times in notebooks/00_index.py, 1,249 s, plus about 5 s per page to start its
# kernel and render it; measured 25 min 28 s with another job sharing the cores for 10 minutes). BOOK_MODE=quick runs a few steps per chapter (CI's build, a few minutes) and
# stamps every page "Built in quick mode: ... not results".
BOOK_MODE ?= full
book: $(STAMP)  ## every chapter as an HTML page with its outputs (full mode, 22-25 min), solutions folded
	$(BIN)/python tools/build_book.py --mode $(BOOK_MODE)

nav: $(STAMP)  ## refresh index/navigation cells and regenerate .ipynb from .py
	$(BIN)/python tools/build_nav.py

benchmark: $(STAMP)  ## print DCGAN training throughput, seconds per epoch and peak memory
	$(BIN)/python benchmarks/train_dcgan.py

clean:  ## remove the environment, the pytest cache and the runs/ output folders
	rm -rf $(VENV) .pytest_cache runs notebooks/runs student/runs
