# Two commands on a fresh clone (only Python 3.10+ needed; Graphviz's `dot` for images):
#   make demo   sets up .venv and runs the main job
#   make test   sets up .venv and runs lint, type checks and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest notebooks bench mutation clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m autograd train --dataset moons --n 100 --noise 0.1 --hidden 16 16 --loss hinge --alpha 1e-4 --optimizer sgd --lr 1.0 --schedule linear --final-factor 0.1 --steps 100 --seed 1337 --plot out/moons_boundary.png --curves out/moons_loss.png --save out/moons_model.json

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

pytest: $(BIN)/.installed
	$(BIN)/python -m pytest

test: lint typecheck pytest

# Re-run the lessons in notebooks/ and save their outputs (deterministic; see notebooks/build.py).
notebooks: $(BIN)/.installed
	$(BIN)/python notebooks/build.py

# The benchmark suite against micrograd, plain Python and numpy, in its own environment.
BENCH_VENV := benchmarks/.venv
$(BENCH_VENV)/.installed: benchmarks/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt -e .
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

# Mutation testing (slow, so not part of `make test`): mutmut plants small bugs in these modules,
# one at a time, and runs the tests that reach each one (configured in pyproject.toml). One module
# at a time, smallest first; results are kept in mutants/, so a second run only redoes what changed.
# `make mutation MUTATE="optim"` runs one module; the README's development section has the score.
MUTATE ?= serialize losses train optim data rules engine
MUTMUT_JOBS ?= 2
$(BIN)/mutmut: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "mutmut==3.8.1"

mutation: $(BIN)/mutmut
	for m in $(MUTATE); do \
		$(BIN)/mutmut run --max-children $(MUTMUT_JOBS) "autograd.$$m.*" || exit 1; \
	done
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis out mutants
