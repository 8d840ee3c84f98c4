# The two set-up commands: `make run` (serve the dashboard) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEL_DATA ?= data/nel
DATA ?= $(NEL_DATA)
PORT ?= 8501
export NEL_DATA

.PHONY: run test validate illustrative report site bench serve-prod stop-prod clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt package.json | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	npm install --no-audit --no-fund --silent
	touch $@ $(VENV)/.installed-run

run: export NEL_ILLUSTRATIVE ?= show
run: $(VENV)/.installed-run
	$(BIN)/streamlit run dashboard.py --server.port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

validate: $(VENV)/.installed-run
	$(BIN)/python -m data.validate $(DATA)

illustrative: $(VENV)/.installed-run
	$(BIN)/python -m data.generate_illustrative data/nel

report: $(VENV)/.installed-run
	$(BIN)/python -m components.report --output build/report/index.html

# The low-bandwidth, JavaScript-free pages (build/site/, served at /lite/ by serve-prod). Charts are drawn
# by Debian's Chromium (apt-get install chromium). NEL_ILLUSTRATIVE=show includes illustrative values.
site: $(VENV)/.installed-run
	$(BIN)/python -m components.site --output build/site

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run

serve-prod: $(VENV)/.installed-run
	deploy/serve-prod.sh

stop-prod:
	deploy/stop-prod.sh

clean:
	rm -rf $(VENV) node_modules build .pytest_cache
