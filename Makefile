# Two commands matter: `make build` (set up everything, check, render) and
# `make test` (lint, types, the whole test suite). Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := bubblewrap chromium fonts-noto-color-emoji

.PHONY: build test setup system-deps lint typecheck pytest serve content-full bench clean

build: setup
	$(BIN)/pebbles build

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict pebbles
	$(BIN)/pytest -n auto

setup: system-deps $(STAMP)

# Debian packages: bubblewrap sandboxes post code; chromium runs the browser tests and
# fonts-noto-color-emoji lets it draw the emoji in screenshots.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,content]'
	touch $(STAMP)

serve: setup
	$(BIN)/pebbles serve

# TensorFlow and PyTorch are large; posts that need them skip without them.
content-full: setup
	$(BIN)/python -m pip install tensorflow-cpu 'torch==2.13.0'

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _site .pebbles-cache $(VENV)
