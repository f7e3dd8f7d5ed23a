# The two commands of the README: `make run` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)
DEBIAN_PACKAGES := $(shell grep -v '^\#' .ci/debian-packages.txt)

.PHONY: run test lint typecheck unit system-packages lock clean

run: $(STAMP)
	HOCBA_DEMO=$${HOCBA_DEMO:-true} $(BIN)/hocba serve

test: $(STAMP) lint typecheck
	$(BIN)/pytest -n auto -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Debian packages the project and its tests use; installed only when missing (needs root).
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml requirements.lock | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Re-pin every dependency after changing pyproject.toml (commit the result).
lock:
	rm -rf /tmp/hocba-lock && $(PYTHON) -m venv /tmp/hocba-lock
	/tmp/hocba-lock/bin/pip install -q --upgrade pip && /tmp/hocba-lock/bin/pip install -q -e '.[dev]'
	/tmp/hocba-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
