# One target per task. Only Python 3.11+ and make are needed on the machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEMO   ?= demo-workspace

.PHONY: install demo test lint typecheck bench clean

$(BIN)/tenure: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(BIN)/tenure

demo: install
	$(BIN)/tenure demo --workspace $(DEMO)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks.generate
	$(BIN)/python -m benchmarks.import_events
	$(BIN)/python -m benchmarks.compute
	$(BIN)/python -m benchmarks.store
	$(BIN)/python -m benchmarks.ingest
	$(BIN)/python -m benchmarks.survival
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.clv
	$(BIN)/python -m benchmarks.analyses_cohorts_churn
	$(BIN)/python -m benchmarks.analyses_segments

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
