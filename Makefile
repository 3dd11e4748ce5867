# The two commands: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test lint typecheck pytest scale-test bench fuzz migration clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Migrate var/storyroom.db, load the demo on first start, serve web + worker on :8000.
run: install
	$(BIN)/storyroom run

## Lint, type check, and the whole suite (again on PostgreSQL when STORYROOM_TEST_DATABASE_URL is set).
test: lint typecheck pytest

lint: install
	$(BIN)/ruff format --check app tests bench alembic
	$(BIN)/ruff check app tests bench alembic
	$(BIN)/lint-imports --no-logo

typecheck: install
	$(BIN)/mypy

pytest: install
	STORYROOM_TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider
	@if [ -n "$$STORYROOM_TEST_DATABASE_URL" ]; then \
		echo "== again on $$STORYROOM_TEST_DATABASE_URL"; \
		$(BIN)/pytest -q -p no:cacheprovider -m "not browser"; \
	fi

## The whole flow on PostgreSQL + Redis (db 4) with two web and two worker processes (~3 min).
scale-test: install
	STORYROOM_SCALE_TEST=1 $(BIN)/pytest -q -p no:cacheprovider tests/scale

bench: install
	$(BIN)/python -m bench

## Schemathesis against a live `storyroom serve` with an API token; a fresh seed unless SEED=n.
fuzz: install
	bash .ci/fuzz $(SEED)

## A new schema revision from the models: make migration m="what changed"
migration: install
	$(BIN)/alembic revision --autogenerate -m "$(m)"
	$(BIN)/ruff format -q alembic/versions

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
