# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint contracts pytest check clean demo bench screenshots
.PHONY: package package-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# PySide6 keeps its own Python support files inside a library and compiles them at every
# start (~30 ms of each start-up). SBK_EMBED=0, PySide6's switch for it, unpacks them into
# shiboken6/files.dir once (again after every install, so they match the installed PySide6);
# compileall caches their bytecode. tests/packaging/test_install.py checks it was done.
UNPACK_PYSIDE_SUPPORT = SBK_EMBED=0 $(BIN)/python -c 'import shiboken6' && \
	$(BIN)/python -m compileall -q $$($(BIN)/python -c \
		'import pathlib, shiboken6; print(pathlib.Path(shiboken6.__file__).parent / "files.dir")')

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(UNPACK_PYSIDE_SUPPORT)
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(UNPACK_PYSIDE_SUPPORT)
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/rethink-desktop

demo: $(STAMP)
	$(BIN)/rethink-desktop --demo

check: $(STAMP)
	$(BIN)/rethink-desktop check

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

contracts: $(TEST_STAMP)
	$(BIN)/lint-imports

pytest: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

test: lint contracts pytest

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots/render.py

# PyInstaller comes from the `package` extra in pyproject.toml.
PACKAGE_STAMP := $(VENV)/.installed-package
$(PACKAGE_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet $$($(BIN)/python -c 'import tomllib; \
		print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["package"])')
	touch $@

# Build dist/rethink-desktop/, check its size budget, smoke-test the frozen program.
package: $(PACKAGE_STAMP)
	$(BIN)/python packaging/build.py

# Smoke-test the existing build again, without rebuilding.
package-smoke: $(STAMP)
	$(BIN)/python packaging/build.py --smoke-only
