# Every target sets itself up: a fresh clone needs only Python 3.10+ and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# Where the optional PyTorch CPU wheel can be installed, parity tests run; otherwise they skip.
TORCH_SPEC ?= torch==2.13.0

.PHONY: test lint typecheck demo bench torch clean

$(VENV)/.dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	touch $@

$(VENV)/.examples: $(VENV)/.dev
	$(PIP) install -q -e ".[dev,examples]"
	touch $@

# Optional: never fails the build when the wheel cannot be had on this machine.
torch: $(VENV)/.dev
	$(PY) -c "import torch" 2>/dev/null || $(PIP) install -q "$(TORCH_SPEC)" || echo "PyTorch not installed: parity tests will be skipped"

# The examples' smoke tests need their extra (tqdm, matplotlib, scikit-learn), so tests install it.
test: $(VENV)/.examples
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

demo: $(VENV)/.examples
	$(PY) examples/classifier.py

bench: $(VENV)/.examples
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
