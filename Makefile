# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# The first Python >= 3.12 on this machine (.python-version selects 3.13 under pyenv).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$p; break; fi; done)
# Development values, so a newcomer sets nothing. Production sets its own (README).
DEV_ENV := DJANGO_DEBUG=true
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint migrate demo screenshots messages clean

$(VENV)/.run-installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (see .python-version)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (see .python-version)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo

run: demo
	@echo
	@echo "Qingtan is starting at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

# PNGs of the main pages on the demo content, 1280 px and 390 px wide, for the README.
screenshots: install-test
	QINGTAN_SCREENSHOTS=$(CURDIR)/docs/screenshots QINGTAN_REQUIRE_BROWSER=1 \
		$(BIN)/pytest tests/e2e/test_screenshots.py -q
	@echo "Screenshots saved in docs/screenshots/"

# Refreshes locale/ after interface strings change (needs GNU gettext: apt-get install gettext),
# then translate the new zh_Hans entries and commit the .po and .mo files (README, i18n).
EN_PO := locale/en/LC_MESSAGES/django.po
messages: install-test
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --add-location=file \
		--ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles --ignore=test-artifacts
	# English is the source language: each msgstr repeats its msgid, fuzzy guesses included.
	msgattrib --clear-fuzzy --empty --clear-previous -o $(EN_PO) $(EN_PO)
	msgen -o $(EN_PO) $(EN_PO)
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles test-artifacts
