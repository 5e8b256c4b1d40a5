# The README's two commands: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint bench-summarization bench-extraction bench-quotes bench-feeds bench-cards \
	bench-delivery

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

bench-summarization: $(INSTALLED)
	$(BIN)/python -m benchmarks.summarization

bench-extraction: $(INSTALLED)
	$(BIN)/python -m benchmarks.extraction

bench-quotes: $(INSTALLED)
	$(BIN)/python -m benchmarks.quotes

bench-feeds: $(INSTALLED)
	$(BIN)/python -m benchmarks.feeds

bench-delivery: $(INSTALLED)
	$(BIN)/python -m benchmarks.delivery

bench-cards: $(INSTALLED)
	$(BIN)/python -m benchmarks.cards
