# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch lies on this disk; without it pip would fetch a multi-GB CUDA build.
WHEELS := $(wildcard /opt/wheels)
PIP := $(BIN)/pip install --disable-pip-version-check -c requirements.lock $(if $(WHEELS),--find-links $(WHEELS))
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: run test install install-test install-bench model index lint bench eval ceiling compare shapes lock check-setup clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip

$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/activate
	$(PIP) torch==2.13.0
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) -e '.[bench]'
	touch $@

install-bench: $(VENV)/.installed-bench

install: $(VENV)/.installed

# Debian's chromium for the browser tests (never `playwright install`).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

install-test: $(VENV)/.installed-test chromium

model: install
	$(BIN)/qa model

index: install
	$(BIN)/qa index seeds/

run: install model index
	$(BIN)/qa ui --host $(HOST) --port $(PORT)

test: install-test model
	$(BIN)/pytest -q

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy qa ui

bench: install-bench model
	$(BIN)/python bench/index_throughput.py
	$(BIN)/python bench/answer_latency.py

eval: install model
	$(BIN)/qa eval ../shared/eval/squad2_normans.json --out bench/out/eval.json

ceiling: install-bench model
	$(BIN)/python bench/reader_ceiling.py

# qa vs plain LangChain RAG vs the extractive picker, same questions, same run (about an hour).
compare: install-bench model
	$(BIN)/python bench/compare.py seed news squad-whole squad-topk --chart docs/answer_comparison.png

shapes: install
	$(BIN)/python bench/shape_accuracy.py

# Re-resolve every dependency in a throwaway venv and write the lock as plain
# `name==version` lines: never `@ file://` or a path, which only one machine could install.
LOCK_VENV := $(shell mktemp -u /tmp/qa-lock.XXXXXX)
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --disable-pip-version-check -q torch==2.13.0
	$(LOCK_VENV)/bin/pip install --disable-pip-version-check -q '.[test]'
	$(LOCK_VENV)/bin/pip list --format=freeze --disable-pip-version-check \
		| grep -viE '^(article-qa|pip|setuptools|wheel)==' > requirements.lock
	rm -rf $(LOCK_VENV)
	$(MAKE) install-test
	$(BIN)/pytest -q tests/unit/test_lock.py

# The README's two commands on a clean machine: a new clone, a new HOME, no pip cache.
check-setup:
	bash .ci/check-setup --clone

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
