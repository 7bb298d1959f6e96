# rnnsym: `make report` and `make test` set up everything they need first
# (a virtual environment with the Python packages; TeX Live from Debian's
# packages when it is missing and we run as root, otherwise a message that
# says exactly what to install).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.rnnsym-installed
# The test tools (pytest, hypothesis, Playwright, axe) only for `make test`:
# a first `make report` does not download them.
TEST_STAMP := $(VENV)/.rnnsym-test-installed
OUT    ?= output
PARAMS ?=
# `make report FORMAT=html` (or both) also builds the HTML edition in OUT/html
# and installs pandoc for it; the default is the PDF alone.
FORMAT ?=
PYTEST_ARGS ?=
# `make setup TORCH=1` also installs PyTorch (2.13.0), so that the checks
# against torch.nn, FlopCounterMode and autograd run; .ci/run does. Without it
# those checks are reported as not run and their tests skip (outside CI).
TORCH  ?=
TORCH_PIN := torch==2.13.0

.PHONY: report answers test bench variants stress setup tex persian maxima html-deps browser clean distclean

report: setup tex $(if $(filter html both,$(FORMAT)),html-deps)
	@$(if $(PARAMS),if grep -qE '^[[:space:]]*language[[:space:]]*=[[:space:]]*"fa"' $(PARAMS); then scripts/ensure-deps.sh persian; fi)
	$(BIN)/rnnsym report --out $(OUT) $(if $(PARAMS),--params $(PARAMS)) $(if $(FORMAT),--format $(FORMAT))

answers: setup
	$(BIN)/rnnsym answers $(if $(PARAMS),--params $(PARAMS))

test: setup $(TEST_STAMP) tex persian maxima browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup tex html-deps
	$(BIN)/python benchmarks/bench.py

# A default batch: 6 variants from seed 1 (SEED=, COUNT=, ROSTER= to change).
SEED  ?= 1
COUNT ?= 6
variants: setup tex
	$(BIN)/rnnsym variants --seed $(SEED) $(if $(ROSTER),--roster $(ROSTER),--count $(COUNT)) --out $(OUT)/variants

# R/exams-style stress test: 200 variants drawn and checked, no LaTeX.
stress: setup
	$(BIN)/rnnsym stress --seed $(SEED) --count 200

setup: $(STAMP)
ifeq ($(TORCH),1)
	@$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH_PIN)
endif

$(STAMP): pyproject.toml
	@scripts/ensure-deps.sh python $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

tex:
	@scripts/ensure-deps.sh tex

# The Persian edition's XeLaTeX, xepersian and font (only where it is built).
persian:
	@scripts/ensure-deps.sh persian

# Maxima: the tests evaluate the Moodle export's STACK keys with it.
maxima:
	@scripts/ensure-deps.sh maxima

html-deps:
	@scripts/ensure-deps.sh html

# The browser tests (tests/test_html_browser.py): pandoc and Debian's chromium.
browser:
	@scripts/ensure-deps.sh browser

clean:
	rm -rf $(OUT) .pytest_cache

distclean: clean
	rm -rf $(VENV)
