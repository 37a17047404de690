# Quick start: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve migrate demo test lint format bench messages clean

$(BIN)/aidons: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/aidons

install: $(BIN)/aidons

migrate: install
	$(BIN)/aidons migrate

demo: migrate
	$(BIN)/aidons demo --host $(HOST) --port $(PORT)

run: demo
	$(BIN)/aidons serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/aidons serve --host $(HOST) --port $(PORT)

test: install
	bash scripts/ensure_browser.sh
	$(BIN)/ruff check app tests migrations/env.py scripts
	$(BIN)/ruff format --check app tests migrations/env.py scripts
	$(BIN)/pytest

format: install
	$(BIN)/ruff format app tests migrations/env.py scripts
	$(BIN)/ruff check --fix app tests migrations/env.py scripts

bench: install
	$(BIN)/python scripts/bench_landing.py

messages: install
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
