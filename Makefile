# Two commands do all the set-up (see README.md):
#   make lab    create .venv on first use, install the course, open JupyterLab
#   make test   the same set-up, then lint and the whole test suite
#   make fresh NB=03   the course's current 03 beside your own copy, after a `git pull`
#   make site   the course website, every notebook run once, in _build/site/
#
# The exact versions that the tests were run with are pinned in constraints.txt;
# pyproject.toml keeps the looser ranges for people who install the package themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
# What `make test` runs: everything by default (tests/test_runtime_wheel.py executes every
# notebook once, in a fresh venv holding only the course wheel and its runtime
# dependencies); name a file to test it alone, e.g. (a notebook runs with nbval)
#   make test TESTS=notebooks/03_learning.ipynb
TESTS ?= tests
PYTEST_ARGS ?=

# The learner's own copy of the course, made on the first `make lab` and never overwritten
# (git ignores it); another folder: make lab MY_NOTEBOOKS=/path/to/folder. Extra JupyterLab
# options: make lab LAB_ARGS="--no-browser --port=8899". Which notebook `make fresh` writes:
# NB=03 (empty: every one that changed in the course since your copy was made).
MY_NOTEBOOKS ?= my_notebooks
LAB_ARGS ?=
NB ?=
NBGRADER_SERVER_EXTENSIONS := $(addprefix nbgrader.server_extensions.,formgrader \
	validate_assignment assignment_list course_list)

.PHONY: lab fresh test lint setup clean-venv site

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab,test,site]'
	@# nbgrader (a teacher's tool the tests use) switches on its own JupyterLab panels and
	@# server add-ons; a learner does not need them, so they are switched off in .venv.
	@# A teacher who grades here turns them on again: see docs/teaching.md.
	@$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	@$(BIN)/jupyter server extension disable --sys-prefix $(NBGRADER_SERVER_EXTENSIONS) >/dev/null
	@touch $(STAMP)

lab: $(STAMP)
	@$(BIN)/python -m course_lib.classroom self-study notebooks/ "$(MY_NOTEBOOKS)"
	@root=; if [ "$$(id -u)" = 0 ]; then root=--allow-root; \
		echo "make lab: running as root (a container or a VM?), so JupyterLab gets --allow-root"; fi; \
		exec $(BIN)/jupyter lab $$root $(LAB_ARGS) "$(MY_NOTEBOOKS)/00_welcome.ipynb"

fresh: $(STAMP)
	@$(BIN)/python -m course_lib.classroom fresh notebooks/ "$(MY_NOTEBOOKS)" $(NB)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	COURSE_STRICT_CHECKS=1 HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
		$(TESTS) $(PYTEST_ARGS)

# The course website: runs every notebook once (COURSE_LIB_DATA is passed on), then Sphinx.
site: $(STAMP)
	$(BIN)/python site/build.py

clean-venv:
	rm -rf $(VENV)
