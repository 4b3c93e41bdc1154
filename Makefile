# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create (or refresh, when pyproject.toml changed) the virtualenv in .venv first.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: venv demo test lint fmt clean screenshots bench

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "dixa-tui needs Python 3.11 or newer on PATH" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

## Run dixa-tui against the embedded demo organization (ARGS="definitions list" for a command).
demo: venv
	$(BIN)/dixa-tui --demo $(ARGS)

## Lint, then the whole test suite.
test: venv
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

## Regenerate screenshots/*.svg and *.png (rsvg-convert) from scripted scenes on the demo.
screenshots: venv
	$(BIN)/python -m dixa_tui.tui.scenes screenshots

## Benchmarks against their baselines (ARGS=--quick for a short run); writes bench/results.json.
bench: venv
	$(BIN)/python bench/run.py $(ARGS)

lint: venv
	$(BIN)/ruff check .

fmt: venv
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
