# The README's two commands:  make lab   and   make test
# Both create the virtual environment (.venv) first if it is missing or out of date.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test env nav benchmark clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

env: $(STAMP)  ## create or update the environment only

lab: $(STAMP)  ## open the course in JupyterLab, on the index
	$(BIN)/jupyter lab notebooks/00_index.ipynb

test: $(STAMP)  ## the whole test suite, notebooks in quick mode
	GAN_LESSONS_QUICK=1 MPLBACKEND=agg $(BIN)/python -m pytest

nav: $(STAMP)  ## refresh index/navigation cells and regenerate .ipynb from .py
	$(BIN)/python tools/build_nav.py

benchmark: $(STAMP)
	$(BIN)/python benchmarks/train_dcgan.py

clean:
	rm -rf $(VENV) .pytest_cache runs notebooks/runs
