# jiesu: `make run` serves the demo office on SQLite; `make test` runs the whole suite
# on SQLite and on a throw-away PostgreSQL. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint setup system-deps bench load clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || { $(VENV)/bin/python -m pip --version >/dev/null 2>&1 || $(VENV)/bin/python -m ensurepip >/dev/null; $(VENV)/bin/python -m pip install -q "uv>=0.13"; }
	$(VENV)/bin/uv sync --frozen --compile-bytecode --python $(VENV)/bin/python
	touch $@

# ECharts for the dashboard, from npm at the versions package-lock.json pins; served by jiesu.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: setup
	$(VENV)/bin/jiesu run --port $(PORT)

# 50 operators for 5 minutes against `jiesu serve` (SQLite); DATABASE=postgres for PostgreSQL.
load: setup
	$(VENV)/bin/python bench/load.py --database $(or $(DATABASE),sqlite)

system-deps:
	scripts/system-deps.sh

test: setup system-deps
	scripts/test.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/jiesu makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-logo --no-cache

bench: setup
	$(VENV)/bin/python bench/bench_demo.py
	$(VENV)/bin/python bench/bench_desk.py --cases 1000000

clean:
	rm -rf $(VENV) node_modules staticfiles test-results
