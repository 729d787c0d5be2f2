# The commands a developer runs are the commands CI runs (.ci/run calls `make test`).
# Set DATABASE_URL=postgresql+psycopg://... to run the service, and the persistence tests, on PostgreSQL too.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install fonts browser java redis run test estimate rules coverage load crash throughput format

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed fonts

## The page tests drive a real browser: Debian's chromium (never a downloaded one).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing chromium for the page tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

## Screening on Spark needs a Java runtime (Debian's openjdk-17-jre-headless); the replica tests a Redis server.
java:
	@command -v java >/dev/null || { \
	  echo "Installing a Java runtime for Spark"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless; }

redis:
	@command -v redis-server >/dev/null || { \
	  echo "Installing redis-server for the replica tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server; }

## The charts label in Chinese: make sure a CJK font is installed (Debian's fonts-wqy-zenhei).
fonts:
	@dpkg-query -W -f='$${Status}\n' fonts-wqy-zenhei fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" || { \
	  echo "Installing a CJK font for the charts: fonts-wqy-zenhei"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-wqy-zenhei; }

## Format the code and fix what the linter can.
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Install, migrate the embedded SQLite database (instance/subsidy.db) and serve the API on :8000.
run: install
	$(BIN)/subsidy serve --host 127.0.0.1 --port 8000

## Install and run every test: lint and format (ruff), type checks (mypy --strict), unit tests and BDD
## scenarios, the coverage gate (every rule checked, every branch, clause and support sentence accounted
## for), and a plain install of the built wheel in a fresh venv.
test: install browser java redis
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest
	$(BIN)/subsidy coverage --check
	$(BIN)/python scripts/check_wheel.py

## Install and estimate the example Wuhan company, as a table.
estimate: install
	$(BIN)/subsidy estimate examples/wuhan.json --city wuhan --district 江汉区 --as-of 2022-06-30 --format table

## List the rulebook's documents, windows and rules.
rules: install
	$(BIN)/subsidy rules

## Rule coverage of the last scenario run, per document and rule.
coverage: install
	$(BIN)/subsidy coverage

## Load run (60 s per phase): anonymous and stored estimates against `subsidy serve` under wrk, then an audit.
load: install
	@command -v wrk >/dev/null || { echo "Installing wrk"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python bench/load.py

## Crash run: kill -9 a worker and the whole server under stored-estimate load, on SQLite and PostgreSQL; audit.
crash: install
	$(BIN)/python bench/crash.py

## Throughput against OpenFisca's own web API and a bare Flask view, with wrk (A B A B); installs OpenFisca in build/bench.
throughput: install
	@command -v wrk >/dev/null || { echo "Installing wrk"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python bench/throughput.py
