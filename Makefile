# The analysis as a DAG run by make. On a fresh machine the README's two commands,
# `make report` and `make test`, create .venv and install everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MA     := $(BIN)/metroanalysis

.PHONY: setup clean-data report test lint format lab bench clean
.DEFAULT_GOAL := report

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## clean every month under data/raw/ into data/processed/
clean-data: $(STAMP)
	$(MA) clean --all

## the main job: clean and report every month under data/raw/
report: $(STAMP)
	$(MA) run --all

## lint, format check, notebooks output-free, the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## JupyterLab on this machine only; as root (a container) it is allowed to start and opens no browser
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --ip=127.0.0.1 $$(test "$$(id -u)" = 0 && echo --allow-root --no-browser)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf data/processed/[0-9]* data/processed/all reports/[0-9]* reports/index.html
