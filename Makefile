# Optimization for Deep Learning: build the book, run the tests, open the notebooks.
# Each target works on a fresh clone with Python 3.11 and make: the virtual environment is
# created on first use and re-synced whenever requirements.txt changes (a stamp file).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements.stamp
BUILD  := _build
# jupyter-cache keys executed notebooks on their code only, so a change to optlib would be
# served stale outputs. We hash optlib's sources (Python, and the player's JS and CSS) and
# drop the cache when the hash moves.
OPTLIB_HASH := $(BUILD)/.optlib.sha256
JB_FLAGS    := -W -n --keep-going
# The chapters train tiny networks: one thread per kernel is as fast, and it keeps a busy
# 2-core machine from thrashing between torch's intra-op threads (seen: 8-40x slow-downs).
export OMP_NUM_THREADS ?= 1

.PHONY: book test unit notebooks lab bench clean distclean browser pdf lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The exact pins, then optlib itself installed editable from this checkout (pyproject.toml;
# its dependencies are already among the pins), for the book build (which executes in a temp
# dir), nbval and lab.
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The browser tests and the PDF drive Chromium. _ext/chromium.py prints the path of the one on
# this machine ($CHROMIUM, /usr/bin/chromium, or Playwright's); without one it installs it
# (as root with apt-get on Debian/Ubuntu, elsewhere `playwright install chromium`), or stops
# with one line saying what to run. `make browser DRY_RUN=1` prints what it would install.
FIND_CHROMIUM = PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python _ext/chromium.py
# Prefix of a command that runs with CHROMIUM set to that path (and does not run without one).
WITH_CHROMIUM = chromium="$$($(FIND_CHROMIUM))" && CHROMIUM="$$chromium"

browser: $(STAMP)
	@$(FIND_CHROMIUM) $(if $(DRY_RUN),--dry-run)

# Drop the execution cache when optlib's sources changed since the last build, and Sphinx's
# environment with it: otherwise Sphinx sees unchanged notebooks as up to date and never asks
# for them to be executed again.
cache-check: | $(STAMP)
	@mkdir -p $(BUILD)
	@new=$$(find optlib -type f \( -name '*.py' -o -name '*.js' -o -name '*.css' \) | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1); \
	old=$$(cat $(OPTLIB_HASH) 2>/dev/null); \
	if [ "$$new" != "$$old" ]; then \
	  if [ -d $(BUILD)/.jupyter_cache ]; then echo "optlib changed: clearing the execution cache"; fi; \
	  rm -rf $(BUILD)/.jupyter_cache $(BUILD)/.doctrees; \
	  echo "$$new" > $(OPTLIB_HASH); \
	fi
.PHONY: cache-check

book: $(STAMP) cache-check
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "HTML: $(BUILD)/html/index.html"

# ruff (pyproject.toml's [tool.ruff]) over the package, the Sphinx extensions and the benchmarks:
# the lint rules, then that `ruff format` would change nothing.
lint: $(STAMP)
	$(BIN)/ruff check optlib _ext bench
	$(BIN)/ruff format --check optlib _ext bench

# The full suite: lint and Chromium first (a finding or a missing browser stops here, not after
# the build), the book with warnings as errors, then unit tests, notebook hygiene, browser checks
# of the built pages (players, offline loading, the PDF), and every notebook executed by nbval.
test: lint browser book
	$(WITH_CHROMIUM) $(BIN)/python -m pytest tests chapters --nbval-lax --nbval-current-env -p no:cacheprovider

# The book as one PDF (_build/pdf/book.pdf), printed by the same Chromium from the built pages.
pdf: browser book
	$(WITH_CHROMIUM) $(BIN)/python _ext/make_pdf.py

unit: browser
	$(WITH_CHROMIUM) $(BIN)/python -m pytest tests -m "not book" -p no:cacheprovider

lab: $(STAMP)
	$(BIN)/jupyter lab chapters

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(BUILD) .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
