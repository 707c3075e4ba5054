# Sésame: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install demo clean help catalogs messages screenshots bench bench-ldap load

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@# The LDAP backend's python-ldap needs libldap2-dev and libsasl2-dev: only when present,
	@# so that `make run` needs nothing from apt.
	if [ -e /usr/include/ldap.h ] && [ -e /usr/include/sasl/sasl.h ]; then \
	  $(BIN)/pip install --quiet -e '.[test,ldap]'; fi
	touch $(STAMP)

install: $(STAMP) catalogs ## Create the virtual environment and install everything

# Message catalogs: translations/<lang>/LC_MESSAGES/messages.po (in git) -> .mo (built).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogs: $(CATALOGS) ## Compile the message catalogs (.po -> .mo)

messages: $(STAMP) ## Extract the French texts and merge them into each catalog, to translate
	$(BIN)/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -k N_ -o translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i translations/messages.pot -d translations

run: $(STAMP) catalogs ## Start the wizard on http://127.0.0.1:5000 with demo people and the mail viewer
	WIZARD_DEMO=1 $(BIN)/wizard init-db
	WIZARD_DEMO=1 $(BIN)/wizard demo
	@echo ""
	@echo "Ouvrez http://127.0.0.1:5000/ ; les courriels sont dans http://127.0.0.1:5000/dev/courriels/"
	@echo ""
	WIZARD_DEMO=1 $(BIN)/wizard run --host 127.0.0.1 --port 5000

lint: $(STAMP) ## Ruff on the code and the tests
	$(BIN)/ruff check wizard tests scripts

test: $(STAMP) catalogs lint ## Every test, browser tests included (needs Chromium), then the dated ones with the clock ten years ahead
	$(BIN)/lint-imports
	$(BIN)/pytest --cov --cov-report=term tests
	$(BIN)/pytest -q -m dates --clock-shift-days=3653 tests

screenshots: $(STAMP) catalogs ## Screenshots of every step (docs/screenshots/, for the README's tour)
	$(BIN)/python scripts/screenshots.py

# Not part of `make test`: each runs a real gunicorn for minutes. Results and how to read
# them: docs/performance.md (both rewrite their block of it).
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) catalogs ## Benchmark against the floors (argon2id, /healthz): ~2.5 min, writes docs/performance.md
	$(BIN)/python scripts/load.py bench --out docs/performance.md

bench-ldap: $(BENCH_STAMP) catalogs ## The benchmark with the LDAP directory (a throw-away slapd; needs slapd and python-ldap)
	$(BIN)/python scripts/load.py bench --directory ldap --out docs/performance.md

load: $(BENCH_STAMP) catalogs ## 50 people through the wizard for 60 s against 2 workers: errors, "database is locked"
	$(BIN)/python scripts/load.py load --people 50 --seconds 60 --workers 2 --out docs/performance.md

clean: ## Remove the environment and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage
