# Two commands on a fresh clone (only Python 3.10+ needed; Graphviz's `dot` for images):
#   make demo   sets up .venv with what the demo needs (the package and its plot extra), runs it
#   make test   sets up .venv with everything (the dev extra) and runs lint, type checks and tests
# Both use the one .venv, each with its own stamp; neither removes what the other installed, and
# the dev install includes everything the demo needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest notebooks screenshots bench mutation clean

# PyTorch, for the tests of autograd.export and lesson 7 only: a pinned CPU build. An unpinned
# "torch" from PyPI is a CUDA build of several GB on Linux; where no CPU wheel is at hand, use
#   make test TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
TORCH       ?= torch==2.13.0
TORCH_INDEX ?=

$(BIN)/python:
	@echo "Creating the virtual environment $(VENV) ..."
	$(PYTHON) -m venv $(VENV)

$(BIN)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing scalar-autograd with the development tools into $(VENV) ..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

$(BIN)/.torch: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH_INDEX) "$(TORCH)"
	touch $@

$(BIN)/.installed-demo: pyproject.toml | $(BIN)/python
	@if [ -f $(BIN)/.installed ] && [ $(BIN)/.installed -nt pyproject.toml ]; then \
		echo "$(VENV) has the development install, which includes the demo's packages"; \
	else \
		echo "Installing scalar-autograd and its plot extra into $(VENV) (once; later runs skip this) ..."; \
		$(BIN)/python -m pip install --disable-pip-version-check -e ".[plot]" || exit 1; \
	fi
	@touch $@

demo: $(BIN)/.installed-demo
	$(BIN)/python -m autograd train --dataset moons --n 100 --noise 0.1 --hidden 16 16 --loss hinge --alpha 1e-4 --optimizer sgd --lr 1.0 --schedule linear --final-factor 0.1 --steps 100 --seed 1337 --plot out/moons_boundary.png --curves out/moons_loss.png --save out/moons_model.json --report out/moons_run.html

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.torch
	$(BIN)/mypy

pytest: $(BIN)/.torch
	$(BIN)/python -m pytest

test: lint typecheck pytest

# Re-run the lessons in notebooks/ and save their outputs (deterministic; see notebooks/build.py).
notebooks: $(BIN)/.torch
	$(BIN)/python notebooks/build.py

# Pictures of the HTML pages (explorer, training replay) from the browser tests, in out/screenshots/;
# explorer_readme.png is the README's docs/images/explorer.png.
screenshots: $(BIN)/.installed
	AUTOGRAD_SCREENSHOTS=out/screenshots $(BIN)/python -m pytest tests/test_pages_browser.py -q

# The benchmark suite against micrograd, plain Python and numpy, in its own environment.
BENCH_VENV := benchmarks/.venv
$(BENCH_VENV)/.installed: benchmarks/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt -e .
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

# Mutation testing (slow, so not part of `make test`): mutmut plants small bugs in these modules,
# one at a time, and runs the tests that reach each one (configured in pyproject.toml); then the
# score and the survivors not listed as equivalent in the README's development section are
# printed. Every mutant of the modules named is run again, even if an earlier run left a result.
# `make mutation MUTATE="optim"` runs one module.
MUTATE ?= serialize losses train optim data rules engine _compact
MUTMUT_JOBS ?= 2
$(BIN)/mutmut: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "mutmut==3.8.1"

mutation: $(BIN)/mutmut
	$(BIN)/mutmut run --max-children $(MUTMUT_JOBS) $(foreach m,$(MUTATE),"autograd.$(m).*")
	$(BIN)/python tests/mutation_score.py $(MUTATE)

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis out mutants
