# Every target installs what it needs on a fresh machine (Python 3.11, pip, make; root for apt-get).
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
# The same uv as the Dockerfile's (ARG UV_VERSION there).
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= config/example.yaml

.PHONY: help run test lint types pytest check-config redis-server nginx wrk docker-compose node sdk-deps deps deps-dev docs \
	cluster cluster-stop bench soak crash bump-base-image

help:
	@echo "make run    - the demo: the gateway on http://127.0.0.1:8080 with config/demo.yaml (sandboxes in-process)"
	@echo "make test   - ruff, mypy --strict and the whole pytest suite (installs redis-server, nginx, docker-compose, Node and StackOne's SDK)"
	@echo "make check-config CONFIG=file - every problem of a configuration file and the variables it needs"
	@echo "make cluster / cluster-stop - two replicas behind nginx, Redis and the three sandboxes as local processes"
	@echo "make bench  - the performance suite, the working tree against BASE (default HEAD~1; 30-40 minutes, QUICK=1 10-20): bench/results/latest.{json,md,png}"
	@echo "make soak   - 2,000 keyed writes per vendor fault mode, then the crash suite (make crash)"
	@echo "make crash  - two replicas and Redis killed under 2,000 keyed writes per mode: bench/results/crash.md"
	@echo "make bump-base-image - pin the Dockerfile's base image to its tag's current digest (Docker, network)"

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.deps: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact  # --inexact: keep dev tools a `make test` installed
	@touch $@

$(VENV)/.deps-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
deps-dev: $(VENV)/.deps-dev

# The one command that serves the demo configuration, and says so; every other start needs GATEWAY_CONFIG.
run: export GATEWAY_CONFIG := config/demo.yaml
run: export GATEWAY_HOST ?= 127.0.0.1
run: export GATEWAY_PORT ?= 8080
run: export LOG_FORMAT ?= console
run: deps
	$(VENV)/bin/gateway serve

docs: deps
	$(VENV)/bin/python -m connectors.docs > docs/mappings.md

check-config: deps
	$(VENV)/bin/gateway check-config $(CONFIG)

redis-server:
	@command -v redis-server >/dev/null || { \
		echo "installing redis-server from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@redis-server --version

nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
		echo "installing nginx from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

# Compose v1 (Debian's), for the static check that docker-compose.yml loads in v1 as well as in the Compose
# Specification v2 implements; it needs no Docker engine for that.
docker-compose:
	@command -v docker-compose >/dev/null || { \
		echo "installing docker-compose from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }

# Node and npm from Debian when missing: tests/test_sdk_compat.py drives the gateway with StackOne's TypeScript SDK
# (which supports Node 18, Debian's, and 20). Without them the install fails here, so CI fails rather than skips.
node:
	@command -v npm >/dev/null || { \
		echo "installing nodejs and npm from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	@node --version

# StackOne's SDK exactly as tests/sdk/package-lock.json pins it. npm ci writes node_modules/.package-lock.json, so
# it runs again only when package.json or the lock changes.
SDK_MODULES := tests/sdk/node_modules/.package-lock.json
$(SDK_MODULES): tests/sdk/package.json tests/sdk/package-lock.json | node
	cd tests/sdk && npm ci --ignore-scripts --no-audit --no-fund

sdk-deps: $(SDK_MODULES)

wrk:
	@command -v wrk >/dev/null || { \
		echo "installing wrk from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# make bench [BASE=<commit>|BASE=] [QUICK=1] [ONLY='bindbee-* create/gateway-redis']: the working tree (B) beside
# BASE (A, default the previous commit; empty for none), built in a temporary worktree (bench/README.md).
BASE ?= HEAD~1
bench: deps-dev redis-server nginx wrk
	$(PY) bench/run.py --base '$(BASE)' --uv '$(UV)' $(if $(QUICK),--quick) $(if $(ONLY),--only $(foreach p,$(ONLY),'$(p)'))

soak: deps-dev redis-server
	$(PY) bench/soak.py
	$(PY) bench/crash.py

crash: deps-dev redis-server
	$(PY) bench/crash.py

cluster: deps redis-server nginx
	$(PY) deploy/local/cluster.py start

cluster-stop:
	$(PY) deploy/local/cluster.py stop

lint: deps-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: deps-dev
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --strict deploy/local/cluster.py

pytest: deps-dev redis-server nginx docker-compose sdk-deps
	$(VENV)/bin/pytest -q

test: lint types pytest

bump-base-image:
	deploy/bump-base-image.sh
