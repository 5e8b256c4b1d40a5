# The README's two commands: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

BENCHMARKS := bench-summarization bench-extraction bench-quotes bench-feeds bench-delivery bench-cards bench-scale bench-storage

.PHONY: run test lint $(BENCHMARKS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/precis run

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

# `make bench-feeds` runs benchmarks/feeds.py, and so on.
$(BENCHMARKS): bench-%: $(INSTALLED)
	$(BIN)/python -m benchmarks.$*
