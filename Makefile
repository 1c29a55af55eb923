# Recoup: the two commands of the README are `make serve` and `make test`.
# Both install the system libraries they need (Debian/Ubuntu) when they are missing.

SWIFT      ?= swift
HOST       ?= 127.0.0.1
PORT       ?= 8080
DB         ?= var/recoup.sqlite
MODELS     ?= models
APT_PKGS   := libopenblas-dev libsqlite3-dev pkg-config
SUDO       := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

MODEL_NAME ?= default-200k

.PHONY: deps serve serve-pg build test test-ui lint format bench models reliability clean

## deps: install libopenblas-dev, libsqlite3-dev and pkg-config with apt-get when missing
deps:
	@missing=""; for p in $(APT_PKGS) $(EXTRA_APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## build: release build of the recoup executable
build: deps
	$(SWIFT) build -c release --product recoup

## serve: run the service with the shipped models and an embedded SQLite file
serve: build
	OPENBLAS_NUM_THREADS=1 $$($(SWIFT) build -c release --show-bin-path)/recoup serve --host $(HOST) --port $(PORT) --db $(DB) --models $(MODELS)

## serve-pg: like serve, on PostgreSQL: a local cluster in $(PG_DIR) (PostgreSQL installed with apt-get and the
## cluster started when needed; it keeps running after the server stops: scripts/postgres-cluster.sh stop $(PG_DIR)/data),
## database `recoup`. Run more replicas on other ports against the URL it prints (README, "PostgreSQL and replicas").
PG_DIR ?= var/pg
serve-pg: build
	@url=$$(scripts/postgres-cluster.sh start $(PG_DIR)/data) && db=$${url%/postgres}/recoup && \
	{ psql "$$url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'recoup'" | grep -q 1 || psql "$$url" -qc "CREATE DATABASE recoup"; } && \
	echo "PostgreSQL: $$db" && \
	OPENBLAS_NUM_THREADS=1 $$($(SWIFT) build -c release --show-bin-path)/recoup serve --host $(HOST) --port $(PORT) --db "$$db" --models $(MODELS)

## test: build everything, then run the swift-testing suites (BLAS single-threaded); the store's behaviour suites run
## against SQLite and against a throwaway PostgreSQL cluster (scripts/postgres-cluster.sh installs PostgreSQL with
## apt-get when missing, starts it in a temporary folder on a free port, and stops it afterwards)
test: deps
	$(SWIFT) build --build-tests
	@pg=$$(mktemp -d /tmp/recoup-test-pg.XXXXXX) && \
	trap 'scripts/postgres-cluster.sh stop $$pg/data immediate; rm -rf $$pg' EXIT && \
	url=$$(scripts/postgres-cluster.sh start $$pg/data) && \
	RECOUP_TEST_POSTGRES=$$url RECOUP_REQUIRE_POSTGRES=1 OPENBLAS_NUM_THREADS=1 $(SWIFT) test --skip-build --disable-xctest

## test-ui: browser tests of the pages under /ui (ui-tests/run.py): Playwright, pinned in ui-tests/requirements.txt and
## installed into ui-tests/.venv on first use (again when requirements.txt changes), drives the system Chromium
## (/usr/bin/chromium; never a downloaded browser) against a fresh debug-build server (the one `make test` builds) with
## seeded returns; screenshots of
## every page at 1280 and 390 px wide go to var/ui-screenshots/. Installs chromium, python3 and python3-venv with
## apt-get when missing.
test-ui:
	$(MAKE) --no-print-directory deps EXTRA_APT_PKGS="chromium python3 python3-venv"
	$(SWIFT) build --product recoup
	@if ! cmp -s ui-tests/requirements.txt ui-tests/.venv/requirements.txt; then \
	  echo "Creating ui-tests/.venv from ui-tests/requirements.txt"; \
	  rm -rf ui-tests/.venv && python3 -m venv ui-tests/.venv && \
	  ui-tests/.venv/bin/pip install --quiet --disable-pip-version-check -r ui-tests/requirements.txt && \
	  cp ui-tests/requirements.txt ui-tests/.venv/requirements.txt; \
	fi
	RECOUP_BIN=$$($(SWIFT) build --show-bin-path)/recoup ui-tests/.venv/bin/python ui-tests/run.py

## lint: swift-format with the repository's .swift-format, strict: any finding fails (CI runs it)
lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Sources Tests Package.swift

## format: rewrite the sources in place with the same configuration
format:
	$(SWIFT) format format --in-place --recursive --configuration .swift-format Sources Tests Package.swift

## models: rebuild the shipped default bundle from training-data/ and make it active (BUDGET=90s tunes the trees
## first; the shipped bundle keeps the fixed configuration, see benchmarks/RESULTS.md, issue 20)
BUDGET ?= 0
models: build
	mkdir -p var
	gzip -dc training-data/returns-200k.csv.gz > var/returns-200k.csv
	OPENBLAS_NUM_THREADS=1 $$($(SWIFT) build -c release --show-bin-path)/recoup train --data var/returns-200k.csv --out $(MODELS) --name $(MODEL_NAME) --seed 42 --budget $(BUDGET)
	printf '%s\n' $(MODEL_NAME) > $(MODELS)/ACTIVE

## reliability: crash, fuzz, overload and model-fault checks plus the full-size Swift reliability suites; prints the
## table and rewrites RELIABILITY.md (reliability/run.py). Installs python3 and python3-venv with apt-get when
## missing, and schemathesis (pinned in reliability/requirements.txt) into reliability/.venv on first use.
reliability:
	@started=$$(date +%s); \
	$(MAKE) --no-print-directory deps EXTRA_APT_PKGS="python3 python3-venv" && \
	$(SWIFT) build -c release --product recoup && \
	$(SWIFT) build --build-tests && \
	RECOUP_BIN=$$($(SWIFT) build -c release --show-bin-path)/recoup python3 reliability/run.py --started $$started

## bench: the benchmarks of benchmarks/, side by side with scikit-learn and LightGBM; writes benchmarks/RESULTS.md
## (BEFORE=<older checkout with release binaries> adds the same loads against it, interleaved)
bench: build
	BEFORE="$(BEFORE)" bash benchmarks/run.sh

clean:
	rm -rf .build var
