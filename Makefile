# Linli — every target a newcomer needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
export PORT

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP) ## Create the environment from the lockfile

run: $(STAMP) ## Migrate, build the demo street, serve it (DEBUG off, keys in var/keys.env) with a worker and beat
	@bash scripts/ensure-pdf-libs.sh
	$(BIN)/linli migrate --noinput
	$(BIN)/linli demo
	@echo "Linli: http://127.0.0.1:$(PORT)  (accounts in README.md; Ctrl-C stops the server, worker and scheduler)"
	@trap 'kill 0' EXIT INT TERM; WORKER_CONCURRENCY=$${WORKER_CONCURRENCY:-1} $(BIN)/linli worker --beat & $(BIN)/linli serve

dev: $(STAMP) ## Development: DEBUG on, the published dev keys, auto-reload (runserver), a worker and beat
	@bash scripts/ensure-pdf-libs.sh
	DJANGO_SETTINGS_MODULE=linli.settings.dev $(BIN)/linli migrate --noinput
	DJANGO_SETTINGS_MODULE=linli.settings.dev $(BIN)/linli demo
	@trap 'kill 0' EXIT INT TERM; export DJANGO_SETTINGS_MODULE=linli.settings.dev; WORKER_CONCURRENCY=1 $(BIN)/linli worker --beat & $(BIN)/linli runserver 127.0.0.1:$(PORT)

# The pure-rules modules (no Django): every line of them is reached by a test.
PURE_RULES = linli/*/rules.py,linli/elevator/rules/*.py,linli/fire/rules/*.py,linli/risk/rules/*.py,linli/core/roles.py,linli/core/accountrules.py,linli/core/identity.py,linli/core/workdays.py,linli/elevator/costs.py,linli/elevator/stages.py,linli/hall/simulation.py,linli/risk/sampling.py,linli/risk/rectification.py,linli/dashboard/opsrules.py
# The whole suite's level is fail_under in pyproject.toml ([tool.coverage.report]).

test: $(STAMP) ## Run the whole suite (unit, integration, browser) on DATABASE_URL or SQLite, with the coverage gate
	@bash scripts/ensure-pdf-libs.sh
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser and not scaleout and not serial" -q --cov --cov-report=
	$(BIN)/pytest -m serial -q -p no:xdist --cov --cov-append --cov-report=
	set -o pipefail; $(BIN)/coverage report --skip-covered --precision=1 | tail -n 3
	$(BIN)/coverage report -m --skip-covered --fail-under=100 --include='$(PURE_RULES)'
	$(MAKE) --no-print-directory browser-test

# The tests of personal-data protection and the audit chain again under the national algorithms.
SM_TESTS = linli/core/tests/test_crypto.py linli/core/tests/test_crypto_sm.py \
	linli/core/tests/test_identity.py linli/core/tests/test_audit.py \
	linli/core/tests/test_audit_anchors.py linli/geo/tests/test_people.py \
	linli/geo/tests/test_rekey.py linli/geo/tests/test_import.py

test-sm: $(STAMP) ## Crypto, identity and audit tests with the SM suite (SM4, SM3) selected
	LINLI_CRYPTO_SUITE=sm $(BIN)/pytest -n 2 --dist loadfile -m "not browser" -q $(SM_TESTS)

browser-test: $(STAMP) ## Browser tests: Playwright driving Debian's chromium (installed if missing)
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-axe.sh
	$(BIN)/pytest -m browser -q -p no:xdist

scaleout: $(STAMP) ## Production-shaped test: the wheel behind nginx, PostgreSQL, Redis, 2 app servers, 2 workers
	$(BIN)/pytest -m scaleout -q -s -p no:xdist tests/scaleout

lint: $(STAMP) ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP) ## mypy
	$(BIN)/mypy

contracts: $(STAMP) ## import-linter layer contracts
	$(BIN)/lint-imports

schema: $(STAMP) ## Regenerate the committed OpenAPI schema (docs/api/openapi.yaml)
	DJANGO_SETTINGS_MODULE=linli.settings.test $(BIN)/linli spectacular --file docs/api/openapi.yaml --validate

schema-check: $(STAMP) ## Fail when the code's OpenAPI schema differs from docs/api/openapi.yaml
	@bash scripts/schema-check.sh

messages: $(STAMP) ## Refresh the English catalogue in linli/locale/ and compile it (the .mo is committed)
	$(BIN)/linli makemessages -l en --ignore .venv --ignore var --ignore bench -v 0
	$(BIN)/linli compilemessages -l en --ignore .venv -v 0

check-messages: $(STAMP) ## Fail on untranslated/fuzzy messages and on Chinese shown to users without gettext
	bash scripts/check-messages.sh

bench: $(STAMP) ## Benchmarks (bench/); SCALE=0.01 for a quick run
	$(BIN)/python bench/run.py --scale $${SCALE:-1}

bench-check: $(STAMP) ## Quick benchmarks (a few minutes); names any ratio > 20 % worse than bench/baseline.json
	$(BIN)/python bench/run.py --scale $${SCALE:-0.01} --check bench/baseline.json

check: lint types contracts schema-check test ## Everything CI runs, in CI's order

clean: ## Remove the environment and local data
	rm -rf $(VENV) var

.PHONY: help venv run dev test test-sm browser-test scaleout lint types contracts schema schema-check messages check-messages bench bench-check check clean
