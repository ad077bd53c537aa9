# Every target creates .venv itself, so a fresh machine needs only Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck pytest fuzz bench load docs docs-site clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Bytecode is compiled at install, so commands start fast where writing it is off.
COMPILE := $(BIN)/python -m compileall -q src model solver

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(COMPILE)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(COMPILE)
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(COMPILE)
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

## run: the main job on the built-in model: the support matrix, then a sample check
run: $(VENV)/.installed
	$(BIN)/syncscope list
	@echo
	@echo "The sample below is unsupported on purpose: check says which rules it breaks, and a fix."
	@$(BIN)/syncscope check --config docs/examples/sample.json; code=$$?; \
	  if [ $$code -eq 1 ]; then echo "(check exits 1 for an unsupported configuration, as intended)"; \
	  else exit $$code; fi

## test: lint, type-check and the whole test suite
test: lint typecheck pytest docs-site

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src model solver tests bench docs/examples build_backend

# mypy can't follow the package-dir mapping, so it reads a tree of links with the installed layout.
typecheck: $(VENV)/.installed-test
	rm -rf build/typecheck && mkdir -p build/typecheck/syncscope
	ln -s $(CURDIR)/src/syncscope/* build/typecheck/syncscope/
	ln -s $(CURDIR)/model build/typecheck/syncscope/model
	ln -s $(CURDIR)/solver build/typecheck/syncscope/solver
	cd build/typecheck && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p syncscope

pytest: $(VENV)/.installed-test
	$(BIN)/pytest

## fuzz: the fuzz suite at length: 5,000 hostile inputs for each of its 20 cases, 100,000 in all
fuzz: $(VENV)/.installed-test
	SYNCSCOPE_FUZZ_EXAMPLES=5000 $(BIN)/pytest tests/fuzz

## bench: benchmarks against the baseline; rewrites docs/performance.md
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

$(VENV)/.installed-serve: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[serve]'
	touch $@ $(VENV)/.installed

## load: 200 clients on syncscope serve's /v1/domains from localhost, 10 s; rewrites docs/serve.md's numbers
load: $(VENV)/.installed-serve
	$(BIN)/python bench/load_serve.py --write-docs

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@ $(VENV)/.installed

## docs-site: the documentation site (mkdocs, Material theme, API from docstrings) in build/site
docs-site: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/site

## docs: regenerate the documents that come from the model
docs: $(VENV)/.installed
	$(BIN)/syncscope docs

clean:
	rm -rf $(VENV) build *.egg-info
