# Sésame: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install demo clean help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install everything

run: $(STAMP) ## Start the wizard on http://127.0.0.1:5000 with demo people and the mail viewer
	WIZARD_DEMO=1 $(BIN)/wizard init-db
	WIZARD_DEMO=1 $(BIN)/wizard demo
	@echo ""
	@echo "Ouvrez http://127.0.0.1:5000/ ; les courriels sont dans http://127.0.0.1:5000/dev/courriels/"
	@echo ""
	WIZARD_DEMO=1 $(BIN)/wizard run --host 127.0.0.1 --port 5000

lint: $(STAMP) ## Ruff on the code and the tests
	$(BIN)/ruff check wizard tests scripts

test: $(STAMP) lint ## Every test, browser tests included (needs Chromium)
	$(BIN)/pytest --cov --cov-report=term tests

clean: ## Remove the environment and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage
