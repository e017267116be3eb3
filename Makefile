# Public Safety Practices Clearinghouse: set-up, run and test with one command each.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
VPY    := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
WORKERS ?= 3
STAMP  := $(VENV)/.installed-stamp

# Settings every local command shares (each can be overridden from the environment).
export SECRET_KEY_FILE ?= $(CURDIR)/.local/secret_key

# Finds (or starts) PostgreSQL, creates the database, and exports DATABASE_URL for the recipe.
WITH_DB = url=$$($(VPY) scripts/ensure_db.py) && export DATABASE_URL="$$url"

.PHONY: help install run test lint check superuser demo clean-venv backup restore bench search-eval

help:
	@echo "make run        set up, load the demo catalogue into an empty database and serve http://$(HOST):$(PORT)/"
	@echo "make test       set up, then run every check and test"
	@echo "make superuser  create an administrator account (asks for a password)"
	@echo "make backup     dump the database to backups/<timestamp>.dump (or FILE=...)"
	@echo "make restore    restore the newest backup (or FILE=...) over the database"
	@echo "make bench      measure the public pages at 1,000 and 100,000 practices"
	@echo "make search-eval  recall@10 and nDCG@10 of search on the demo catalogue (loads it)"

$(STAMP): pyproject.toml constraints.txt scripts/find-python
	@py=$$(scripts/find-python) || exit 1; \
	if ! $(VPY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV) || exit 1; \
	fi
	$(VPY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VPY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

install: $(STAMP) .local/secret_key

.local/secret_key:
	@mkdir -p .local
	@$(VPY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@
	@echo "Generated a secret key in $@ (git-ignored)."

run: install
	@$(WITH_DB) && \
	$(VPY) manage.py migrate --noinput && \
	{ ! $(VPY) manage.py help load_demo >/dev/null 2>&1 || $(VPY) manage.py load_demo --if-empty; } && \
	$(VPY) manage.py load_demo_cycle && \
	$(VPY) manage.py collectstatic --noinput --verbosity 0 && \
	echo "" && \
	echo "  Serving http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)" && \
	echo "  Create an administrator with:  make superuser" && \
	echo "" && \
	HTTPS=false SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" exec $(VENV)/bin/gunicorn clearinghouse.wsgi:application \
		--config clearinghouse/gunicorn_conf.py --bind $(HOST):$(PORT) --workers $(WORKERS)

superuser: install
	@$(WITH_DB) && $(VPY) manage.py migrate --noinput --verbosity 0 && \
	$(VPY) manage.py createsuperuser

check: install
	@$(WITH_DB) && \
	$(VPY) manage.py check --fail-level WARNING && \
	$(VPY) manage.py makemigrations --check --dry-run

lint: install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

test: install
	@$(WITH_DB) && \
	$(VPY) manage.py check --fail-level WARNING && \
	$(VPY) manage.py makemigrations --check --dry-run && \
	$(VPY) -m ruff check . && \
	$(VPY) -m ruff format --check . && \
	$(VPY) -m pytest $(PYTEST_ARGS)

backup: install
	@$(WITH_DB) && FILE="$(FILE)" scripts/backup.sh backup

restore: install
	@$(WITH_DB) && FILE="$(FILE)" CONFIRM="$(CONFIRM)" scripts/backup.sh restore
# Benchmark (README.md, "Benchmark"): BENCH_ARGS="--duration 5" and the like pass options.
bench: install
	@$(WITH_DB) && $(VPY) bench/run.py --update-readme $(BENCH_ARGS)

# Search relevance (README.md, "Search"): loads the demo catalogue into the database, then
# scores the judged queries of tools/search_eval_queries.json.
search-eval: install
	@$(WITH_DB) && $(VPY) manage.py migrate --noinput --verbosity 0 && \
	$(VPY) manage.py load_demo --verbosity 0 && \
	$(VPY) tools/search_eval.py $(EVAL_ARGS)

clean-venv:
	rm -rf $(VENV)

# Translations: collect new interface strings into locale/es/LC_MESSAGES/django.po (translate
# them there, with no fuzzy entries left), then compile the .mo. Both files are committed.
.PHONY: messages
messages: install
	$(VPY) manage.py makemessages -l es --no-obsolete --ignore=.venv --ignore=staticfiles \
		--ignore=node_modules --ignore=media --ignore=.local
	$(VPY) manage.py compilemessages --ignore=.venv
