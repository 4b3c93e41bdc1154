# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create (or refresh, when pyproject.toml changed) the virtualenv in .venv first:
# `make demo` with the app only, `make test` (and `make venv`) with the test tools too.
#
# stdout belongs to the commands run here (`make demo ARGS="definitions list --json" | jq .`
# must read JSON, even on the first run): recipes are not echoed, and everything the set-up
# says goes to stderr, pip's own output only when it fails (then all of it).

MAKEFLAGS += --no-print-directory
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
APP := $(VENV)/.installed-app
DEV := $(VENV)/.installed-test
PIP_LOG := $(VENV)/pip.log
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-input
ARGS ?=

HOSTILE_PORT ?= 8766

.PHONY: venv app demo hostile test lint fmt clean screenshots bench readme

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "dixa-tui needs Python 3.11 or newer on PATH" >&2; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON)..." >&2
	@$(PYTHON) -m venv $(VENV) >&2

$(APP): pyproject.toml | $(BIN)/python
	@echo "Installing dixa-tui into $(VENV) (once; pip's output is in $(PIP_LOG))..." >&2
	@$(PIP) -e . >$(PIP_LOG) 2>&1 || { cat $(PIP_LOG) >&2; exit 1; }
	@touch $@

$(DEV): $(APP)
	@echo "Installing the test tools into $(VENV) (once)..." >&2
	@$(PIP) -e '.[test]' >$(PIP_LOG) 2>&1 || { cat $(PIP_LOG) >&2; exit 1; }
	@touch $@

# Byte code for every module, refreshed when a source changes: a start must not compile
# them (40 ms of a first frame), and with PYTHONDONTWRITEBYTECODE set nothing else writes it.
SOURCES := $(shell find dixa_tui -name '*.py' 2>/dev/null)
COMPILED := $(VENV)/.compiled

$(COMPILED): $(APP) $(SOURCES)
	@$(BIN)/python -m compileall -q dixa_tui >&2
	@touch $@

## The app alone in .venv (what `make demo` needs); `venv` adds the test tools.
app: $(APP) $(COMPILED)

venv: $(DEV) $(COMPILED)

## Run dixa-tui against the embedded demo organization (ARGS="definitions list" for a command).
## Then `. .venv/bin/activate` puts `dixa-tui` on PATH (or: `pipx install .`).
demo: $(APP) $(COMPILED)
	@$(BIN)/dixa-tui --demo $(ARGS)

## The terminal UI against the hostile organization, served by the mock on 127.0.0.1
## (ARGS="definitions list" for a command; HOSTILE_PORT=... if 8766 is taken).
hostile: $(APP) $(COMPILED)
	@$(BIN)/dixa-tui mock serve --org hostile --port $(HOSTILE_PORT) 2>$(VENV)/hostile-mock.log & \
	pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 100); do $(BIN)/python -c "import socket; \
	socket.create_connection(('127.0.0.1', $(HOSTILE_PORT)), 1)" 2>/dev/null && break; \
	sleep 0.2; done; \
	DIXA_API_KEY=demo-key DIXA_TUI_CONFIG=$(VENV)/hostile-no-config.toml \
	$(BIN)/dixa-tui --base-url http://127.0.0.1:$(HOSTILE_PORT) $(ARGS)

## Lint, type-check, then the whole test suite.
test: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

## Regenerate screenshots/*.svg and *.png (rsvg-convert) from scripted scenes on the demo.
screenshots: venv
	$(BIN)/python -m tools.scenes screenshots

## Regenerate the README's generated tables (keys, faults) from the code.
readme: venv
	$(BIN)/python -m tools.readme README.md

## Benchmarks against their baselines (ARGS=--quick for a short run); writes bench/results.json.
bench: venv
	$(BIN)/python bench/run.py $(ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

fmt: venv
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
