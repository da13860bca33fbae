# The analysis as a DAG run by make. On a fresh machine the README's two commands,
# `make report` and `make test`, create .venv and install everything they need.
# Versions come from the committed uv.lock: uv itself is pip-installed into .venv from PyPI
# (pinned here), then `uv sync --frozen` installs exactly the locked packages.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MA     := $(BIN)/metroanalysis
UV_VERSION := 0.13.9
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)-stamp
# Never fetch a Python interpreter (only PyPI is reached); always use .venv's.
UV     := UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv
# A lock that agrees with pyproject.toml is recognised offline, without resolving; anything else fails.
# Our own modules' bytecode, brought up to date (a stat per file when nothing changed; a
# checkout that cannot be written to is left to compile in memory, as before).
COMPILE_SRC := $(BIN)/python -m compileall -q src/metroanalysis >/dev/null 2>&1 || true
CHECK_LOCK := $(UV) lock --check --offline --quiet >/dev/null 2>&1 \
	|| { echo "uv.lock does not match pyproject.toml: run 'make lock', then commit uv.lock" >&2; exit 1; }

.PHONY: setup clean-data report verify test fuzz charts lint format lab bench clean lock lock-upgrade check-lock
.DEFAULT_GOAL := report

# uv from PyPI, into .venv, with pip: a bare machine needs nothing but Python, pip and make.
# The file name carries the version, so changing UV_VERSION installs the new one.
$(UV_STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	touch $(UV_STAMP)

## fail in one line if uv.lock and pyproject.toml disagree
check-lock: $(UV_STAMP)
	@$(CHECK_LOCK)

# Re-installs whenever uv.lock or pyproject.toml changes. --frozen: exactly the locked versions,
# the project itself editable, the main dependencies and the dev extra (not the cluster extra);
# anything else installed in .venv is removed. --compile-bytecode (and compileall for our own
# src/): every module is compiled once here, not again by every process that imports it where
# Python may not write its cache (PYTHONDONTWRITEBYTECODE, a read-only checkout): each kernel
# would compile pandas and matplotlib anew, and a nothing-changed run our own modules.
$(STAMP): pyproject.toml uv.lock $(UV_STAMP)
	@$(CHECK_LOCK)
	$(UV) sync --frozen --extra dev --compile-bytecode --quiet
	$(COMPILE_SRC)
	touch $(STAMP)

## bring .venv to exactly uv.lock now, whatever was installed into it by hand since
setup: $(UV_STAMP)
	@rm -f $(STAMP)
	@$(MAKE) --no-print-directory $(STAMP)

## update uv.lock on purpose: in step with pyproject.toml, other pins kept (lock-upgrade: newest allowed)
lock: $(UV_STAMP)
	$(UV) lock

lock-upgrade: $(UV_STAMP)
	$(UV) lock --upgrade

## clean every month under data/raw/ into data/processed/
clean-data: $(STAMP)
	$(MA) clean --all

## the main job: clean and report every month under data/raw/
report: $(STAMP)
	@$(COMPILE_SRC)
	$(MA) run --all

## check every output against its record (CSV sizes and hashes, bulletins, report inputs); exit 1 on any difference
verify: $(STAMP)
	$(MA) verify --all

## lint, format check, notebooks output-free, the whole test suite
test: $(STAMP)
	@$(COMPILE_SRC)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## the property tests with many new random examples (the gate, `make test`, draws a fixed set)
fuzz: $(STAMP)
	$(BIN)/python -m pytest -n0 -p no:cacheprovider tests/test_fuzz.py --hypothesis-profile=fuzz --hypothesis-show-statistics

## every chart of every report in 24 generated months, in both languages (the gate checks a part)
charts: $(STAMP)
	METROANALYSIS_CHARTS_EVERY_MONTH=1 $(BIN)/python -m pytest -n0 -p no:cacheprovider tests/test_charts_many_months.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## JupyterLab on this machine only; as root (a container) it is allowed to start and opens no browser
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --ip=127.0.0.1 $$(test "$$(id -u)" = 0 && echo --allow-root --no-browser)

## time the runs side by side (benchmarks/run.py); one part: make bench ONLY=scale (or runs, setup, floor),
## more options: BENCH_ARGS="--scale-months 3,6 --repeat 1"
bench: $(STAMP)
	@$(COMPILE_SRC)
	PYTHON=$(PYTHON) $(BIN)/python benchmarks/run.py $(if $(ONLY),--only $(ONLY)) $(BENCH_ARGS)

clean:
	rm -rf data/processed/[0-9]* data/processed/all reports/[0-9]* reports/index.html
