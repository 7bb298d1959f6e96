# rnnsym: `make report` and `make test` set up everything they need first
# (a virtual environment with the Python packages; TeX Live from Debian's
# packages when it is missing and we run as root, otherwise a message that
# says exactly what to install).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.rnnsym-installed
OUT    ?= output
PARAMS ?=
PYTEST_ARGS ?=
# TORCH=1 also installs PyTorch (a CPU build), so that the checks against
# torch.nn and FlopCounterMode run; CI sets it.
TORCH  ?=
TORCH_PIN := torch==2.13.0

.PHONY: report answers test bench setup tex clean distclean

report: setup tex
	$(BIN)/rnnsym report --out $(OUT) $(if $(PARAMS),--params $(PARAMS))

answers: setup
	$(BIN)/rnnsym answers $(if $(PARAMS),--params $(PARAMS))

test: setup tex
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/bench.py

setup: $(STAMP)
ifeq ($(TORCH),1)
	@$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH_PIN)
endif

$(STAMP): pyproject.toml
	@scripts/ensure-deps.sh python $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

tex:
	@scripts/ensure-deps.sh tex

clean:
	rm -rf $(OUT) .pytest_cache

distclean: clean
	rm -rf $(VENV)
