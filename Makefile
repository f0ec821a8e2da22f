# Redress: `make run` serves the app, `make test` runs every check CI runs.
# Every target installs what is missing first (scripts/setup.sh) and says what it does.
# All cargo calls go through scripts/with-toolchain.sh, so they use one toolchain.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TC := $(ROOT)/scripts/with-toolchain.sh
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)
SITE_ROOT := $(ROOT)/target/site
BIN := $(TARGET_DIR)/debug/redress

# `make run` listens here, on an SQLite database under ./data unless DATABASE_URL is set.
RUN_ADDR ?= 127.0.0.1:3000
DATABASE_URL ?= sqlite://data/redress.db

# cargo-leptos builds the server with these variables and, in debug, `--cfg erase_components`.
# leptos reads some of them at compile time, so the other cargo calls (clippy, tests) set the
# same values: otherwise they rebuild leptos and everything above it. Keep in step with
# [[workspace.metadata.leptos]] in Cargo.toml.
LEPTOS_BUILD_ENV := LEPTOS_OUTPUT_NAME=redress LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
	LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend \
	LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false \
	RUSTFLAGS="--cfg erase_components"
CARGO := $(TC) env $(LEPTOS_BUILD_ENV) cargo
# cargo-leptos sets RUSTFLAGS itself (adding to any it finds), so it gets none from us.
# It names the server executable after the package (redress-server) unless told otherwise.
CARGO_LEPTOS := $(TC) env -u RUSTFLAGS LEPTOS_BIN_EXE_NAME=redress \
	bash -c 'cargo leptos "$$@" $${REDRESS_LEPTOS_ARGS:-}' cargo-leptos

# The host packages: server, app (with ssr, through the server), migrations, domain crates,
# the end-to-end tests. The wasm entry is checked separately with the hydrate features.
HOST_PACKAGES := --workspace --exclude redress-frontend
HYDRATE_PACKAGES := -p app -p redress-frontend --features app/hydrate
# The packages `make test-pg` runs alone against a throwaway PostgreSQL server (a quicker
# check of the database code; `make test-unit` already runs every test on both backends).
PG_TEST_PACKAGES ?= -p redress-store -p migrations -p redress-server

# cargo-nextest when it works with this toolchain, else cargo test.
TEST_RUNNER = $(shell $(TC) env $(LEPTOS_BUILD_ENV) cargo nextest --version >/dev/null 2>&1 \
	&& echo 'nextest run --no-tests=warn' || echo test)

.PHONY: help setup build build-release run test fmt fmt-check clippy clippy-ssr clippy-hydrate \
	test-unit test-doc test-pg test-browser bench

help:
	@echo "Redress"
	@echo "  make run       set up if needed, build, serve http://$(RUN_ADDR) (SQLite under ./data)"
	@echo "  make test      set up if needed, then fmt check, clippy (ssr and hydrate), build,"
	@echo "                 unit/integration/browser tests, database tests on SQLite and PostgreSQL"
	@echo "  make setup     install missing tools only (scripts/setup.sh)"
	@echo "  make build | build-release | fmt | fmt-check | clippy | test-unit | test-pg | test-browser | bench"

setup:
	@echo "==> setup: checking and installing what is missing"
	@$(ROOT)/scripts/setup.sh

build: setup
	@echo "==> build: cargo leptos build (server binary and hydrate wasm into target/site)"
	$(CARGO_LEPTOS) build

build-release: setup
	@echo "==> build-release: cargo leptos build --release"
	$(CARGO_LEPTOS) build --release

run: build
	@mkdir -p $(ROOT)/data
	@echo "==> run: serving http://$(RUN_ADDR) on $(DATABASE_URL) (Ctrl-C stops)"
	cd $(ROOT) && LEPTOS_SITE_ROOT=$(SITE_ROOT) LEPTOS_OUTPUT_NAME=redress LEPTOS_SITE_PKG_DIR=pkg \
		LEPTOS_SITE_ADDR=$(RUN_ADDR) REDRESS_ADDR=$(RUN_ADDR) DATABASE_URL='$(DATABASE_URL)' $(BIN) serve

fmt: setup
	@echo "==> fmt: cargo fmt --all"
	$(TC) cargo fmt --all

fmt-check:
	@echo "==> fmt-check: cargo fmt --all -- --check"
	$(TC) cargo fmt --all -- --check

clippy: clippy-ssr clippy-hydrate

clippy-ssr:
	@echo "==> clippy (ssr): server, app with ssr, migrations, domain crates, e2e; all targets; -D warnings"
	$(CARGO) clippy $(HOST_PACKAGES) --all-targets -- -D warnings

clippy-hydrate:
	@echo "==> clippy (hydrate): app with hydrate and the wasm entry, on the host target; -D warnings"
	$(CARGO) clippy $(HYDRATE_PACKAGES) --all-targets -- -D warnings

# Unit, integration and browser tests in one run (the browser tests need `make build` first).
# The run has a throwaway PostgreSQL server (REDRESS_TEST_PG_URL), so every database test
# runs on SQLite and on PostgreSQL; under CI a database test without it fails.
test-unit:
	@echo "==> tests: unit, integration and browser tests; database tests on SQLite and PostgreSQL (cargo $(firstword $(TEST_RUNNER)))"
	$(ROOT)/scripts/pg-throwaway.sh $(CARGO) $(TEST_RUNNER) $(HOST_PACKAGES)

test-doc:
	@echo "==> tests: doc tests"
	$(CARGO) test --doc $(HOST_PACKAGES)

test-pg:
	@echo "==> tests: only the database packages, on SQLite and a throwaway PostgreSQL server ($(PG_TEST_PACKAGES))"
	$(ROOT)/scripts/pg-throwaway.sh $(CARGO) $(TEST_RUNNER) $(PG_TEST_PACKAGES)

test-browser:
	@echo "==> tests: browser tests (headless Chromium against target/debug/redress)"
	$(CARGO) $(TEST_RUNNER) -p redress-e2e

test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory setup fmt-check clippy build test-unit test-doc; \
	echo "==> make test: all checks passed in $$(( $$(date +%s) - start )) s"

bench: setup
	@echo "==> bench: divan benchmarks of the domain crates (figures go to docs/BENCHMARKS.md)"
	$(CARGO) bench --workspace --exclude redress-frontend --exclude redress-e2e
