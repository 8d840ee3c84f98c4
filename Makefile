# The two set-up commands: `make run` (serve the dashboard) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEL_DATA ?= data/nel
DATA ?= $(NEL_DATA)
PORT ?= 8501
export NEL_DATA

.PHONY: run test lock lint check validate illustrative report site templates merge bench serve-prod stop-prod clean

# Installs come from the lock files only, every file checked against its sha256 (pip --require-hashes):
# requirements.lock (requirements.txt and all it pulls in) and requirements-test.lock (requirements-test.txt).
# The venv's own pip (Python's bundled one) is not upgraded from the network: that would be an unchecked install.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-test: requirements.lock requirements-test.lock package.json | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	npm install --no-audit --no-fund --silent
	touch $@ $(VENV)/.installed-run

run: export NEL_ILLUSTRATIVE ?= show
run: $(VENV)/.installed-run
	$(BIN)/streamlit run dashboard.py --server.port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Refresh the lock files from requirements.txt and requirements-test.txt (after changing a pin there): every
# package they pull in, pinned, with the sha256 of each of its files on PyPI, for CPython 3.11 on Linux x86_64.
# uv runs from a throwaway venv (build/lockenv), never the project's; tests/test_lock.py checks the locks agree.
LOCK_FLAGS := --no-config --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock" --quiet
lock:
	test -x build/lockenv/bin/uv || { $(PYTHON) -m venv build/lockenv && build/lockenv/bin/pip install --quiet uv==0.13.10; }
	build/lockenv/bin/uv pip compile $(LOCK_FLAGS) -o requirements.lock requirements.txt
	build/lockenv/bin/uv pip compile $(LOCK_FLAGS) -o requirements-test.lock requirements-test.txt

# The rules CI checks before the tests (pyproject.toml): ruff (pyflakes, pycodestyle, bugbear, simplify, isort,
# complexity <= 12), mypy on data/, geo/ and components/, and the import contracts between the layers.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# While working: lint, then every test that needs no browser (unit tests and AppTests) on both cores.
# `make test` stays the whole suite.
check: lint
	$(BIN)/python -m pytest -m "not browser" -n 2 -q

validate: $(VENV)/.installed-run
	$(BIN)/python -m data.validate $(DATA)

illustrative: $(VENV)/.installed-run
	$(BIN)/python -m data.generate_illustrative data/nel

report: $(VENV)/.installed-run
	$(BIN)/python -m components.publish.report --output build/report/index.html

# The low-bandwidth, JavaScript-free pages (build/site/, served at /lite/ by serve-prod). Charts are drawn
# by Debian's Chromium (apt-get install chromium). NEL_ILLUSTRATIVE=show includes illustrative values.
# Then the app pages' link-preview images (build/site/preview/*.png, og:image; components/publish/share.py).
site: $(VENV)/.installed-run
	$(BIN)/python -m components.publish.site --output build/site
	$(BIN)/python -m components.publish.share --output build/site

# The publishers' templates (CSV per table, one .xlsx workbook with drop-downs, data dictionaries), from the schema.
templates: $(VENV)/.installed-run
	$(BIN)/python -m data.templates --output build/templates

# Merge a publisher's submission: make merge SUBMISSION="workforce.csv wres.csv" [DRY_RUN=1] [DATA=data/nel]
merge: $(VENV)/.installed-run
	@test -n "$(SUBMISSION)" || { echo 'usage: make merge SUBMISSION="FILE..." [DRY_RUN=1] [DATA=data/nel]'; exit 2; }
	$(BIN)/python -m data.merge $(SUBMISSION) --package $(DATA) $(if $(DRY_RUN),--dry-run)

# The performance benchmark (bench/run.py, ~30 min): P1-P6, then Lighthouse (npm package in package.json, Debian
# Chromium) on the app's pages and every low-bandwidth page through serve-prod's nginx, then the first view through
# nginx against direct (bench/first_view.py). Writes bench/results.md and .json. BENCH_ARGS passes options,
# e.g. make bench BENCH_ARGS="--first-view last" (the first view from bench/first-view.json, not measured again).
# NEL_ILLUSTRATIVE=show as make run (/remi's charts are illustrative); serve-prod and the /lite/ pages always hide.
bench: export NEL_ILLUSTRATIVE ?= show
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Capacity at the server: simulated readers over Streamlit's websocket protocol, against one replica and
# through nginx with two (bench/load.py). Writes bench/capacity.md and bench/capacity.json (~25 min).
# LOAD_ARGS passes options, e.g. make load LOAD_ARGS="--targets one --levels 50,100 --merge".
# Then the hostile mix (bench/hostile_mix.py, 2 min): 100 readers while 5 clients upload worst-case files.
.PHONY: load
load: $(VENV)/.installed-test
	$(BIN)/python -m bench.load $(LOAD_ARGS)
	$(BIN)/python -m bench.load --hostile

# The first view through nginx against straight from a replica, before and after Streamlit's static files
# are precompressed (bench/first_view.py, two serve-prod runs side by side, ~8 min). Writes bench/first-view.md and .json.
.PHONY: first-view
first-view: $(VENV)/.installed-test
	$(BIN)/python -m bench.first_view

serve-prod: $(VENV)/.installed-run
	deploy/serve-prod.sh

stop-prod:
	deploy/stop-prod.sh

clean:
	rm -rf $(VENV) node_modules build .pytest_cache
