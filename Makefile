# The README's two commands:  make lab   and   make test
# Both create the virtual environment (.venv) first if it is missing or out of date.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab student test lint format env nav benchmark clean browser demo book

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

env: $(STAMP)  ## create or update the environment only

# JupyterLab refuses to run as root unless told (containers, cloud VMs): pass --allow-root only then.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)  ## open the student edition in JupyterLab, on the index (creates the notebooks missing from student/)
	$(BIN)/python tools/make_student_edition.py
	$(BIN)/jupyter lab student/00_index.ipynb $(ROOT_FLAG)

student: $(STAMP)  ## regenerate the whole student edition from notebooks/*.py (overwrites student/)
	$(BIN)/python tools/make_student_edition.py --force

test: $(STAMP) browser lint  ## lint, then the whole test suite, notebooks in quick mode
	GAN_LESSONS_QUICK=1 MPLBACKEND=agg $(BIN)/python -m pytest

lint: $(STAMP)  ## ruff: lint and format check (configured in pyproject.toml); `make format` fixes what it can
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Debian's chromium for tests/test_browser.py (Playwright drives it; no browser download). CI runs as
# root; elsewhere install it yourself. If it cannot be installed, the browser test fails and says so.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "WARNING: could not install chromium: tests/test_browser.py will fail"

# Demo mode for instructors: the dashboards without code, in Voila on http://127.0.0.1:$(PORT)/
# (make demo CHAPTER=04 for one chapter's; tools/demo.py lists them).
CHAPTER ?=
PORT    ?= 8866
demo: $(STAMP)  ## the course's dashboards full-screen, without code (Voila)
	$(BIN)/python tools/demo.py $(if $(CHAPTER),--chapter $(CHAPTER),) --port $(PORT)

# The static HTML book in build/book/ (open build/book/index.html; it works offline). Chapters run in
# quick mode; BOOK_MODE=full runs them in full mode (the real results, much slower).
BOOK_MODE ?= quick
book: $(STAMP)  ## every chapter as an HTML page with its outputs, solutions folded
	$(BIN)/python tools/build_book.py --mode $(BOOK_MODE)

nav: $(STAMP)  ## refresh index/navigation cells and regenerate .ipynb from .py
	$(BIN)/python tools/build_nav.py

benchmark: $(STAMP)
	$(BIN)/python benchmarks/train_dcgan.py

clean:
	rm -rf $(VENV) .pytest_cache runs notebooks/runs student/runs
