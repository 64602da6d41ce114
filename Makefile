# The two commands of the README: `make run` and `make test`.
# Each one sets up the virtual environment first, when pyproject.toml changed.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/alliances serve

lint: $(BIN)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/alliances check --strict content
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_server.py
