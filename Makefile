# augbench — the README's quick start is `make report` and `make test`.
PY      ?= python3.11
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.augbench-installed
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: install system report report-quick test test-fast lab serve bench clean-venv

# One environment for everything; torch is pinned to the CPU wheel through constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip -q
	$(BIN)/python -m pip install -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (never `playwright install`).
system:
	bash scripts/install-system.sh

# Main job: every notebook headless into reports/<run-id>/ (offline HTML) + reports/index.html.
report: install system
	$(BIN)/augbench report

report-quick: install system
	$(BIN)/augbench report --quick

# Whole test suite (unit, literature, notebooks in quick mode, CLI, browser).
test: install system
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: install
	$(BIN)/jupyter lab --ip 127.0.0.1 notebooks

serve: install
	$(BIN)/augbench serve $(or $(SECTION),grna)

bench: install
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

clean-venv:
	rm -rf $(VENV)
