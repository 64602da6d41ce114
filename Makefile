# The two commands of the README: `make run` and `make test`.
# Each one sets up the virtual environment first, when pyproject.toml changed;
# `make test` also installs the browser test tools: Debian's chromium and Java
# (scripts/install-system-deps, as root) and node_modules from package-lock.json.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
NODE_STAMP := node_modules/.installed

.PHONY: run test lint bench fuzz system-deps

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
	$(BIN)/mypy

system-deps:
	@scripts/install-system-deps

# --ignore-scripts (also in .npmrc): vnu-jar's postinstall would download a Java runtime.
$(NODE_STAMP): package.json package-lock.json | system-deps
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else echo "npm not found: the browser tests will be skipped" >&2; fi

# The second pass runs the HTTP journey on PostgreSQL (a fresh database per test,
# skipped without a server, a failure under CI: tests/pg.py); the contract suite
# (tests/test_storage_contract.py) already runs on both backends in the first.
test: lint $(NODE_STAMP)
	$(BIN)/alliances check --strict --quiz-report content
	$(BIN)/pytest
	ALLIANCES_TEST_BACKEND=postgres $(BIN)/pytest -p no:cacheprovider tests/test_journey.py

# The long fuzz of docs/SECURITY.md: 2,000 hostile requests per route, figures in
# test-artifacts/fuzz.json. `make test` runs the same tests with 25 per route.
fuzz: $(BIN)/.installed
	HYPOTHESIS_PROFILE=fuzz FUZZ_REPORT=test-artifacts/fuzz.json \
		$(BIN)/pytest -p no:cacheprovider --durations=5 tests/security/test_fuzz.py

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_server.py --rounds 3
