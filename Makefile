# The commands of README.md. Everything runs from .venv, created on first use from the
# hash-locked requirements; `make run` and `make test` need nothing else installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SHELL := /bin/bash

.PHONY: run test lint fmt lock migrate demo web worker beat check-deploy bench backup restore clean faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

## run: database (embedded unless DATABASE_URL), migrations, demo data, web, worker, beat
run: $(VENV)/.base-installed
	PORT=$(PORT) $(BIN)/python scripts/run.py

## test: the whole suite against real PostgreSQL
test: $(VENV)/.dev-installed
	$(BIN)/python scripts/test.py $(ARGS)

## faults: Redis stopped, a worker killed, PostgreSQL restarted, 50 identical submissions
faults: $(VENV)/.dev-installed
	$(BIN)/python scripts/test.py tests/faults -m faults -v $(ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# bandit warns about each `# nosec` it did not need on a line; only findings matter.
	set -o pipefail; $(BIN)/bandit -q -c pyproject.toml -r . 2>&1 | { grep -v 'nosec encountered' || true; }

fmt: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## lock: re-resolve requirements/*.in into hash-locked requirements/*.txt
lock: $(VENV)/.dev-installed
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe base.in -o base.txt
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe dev.in -o dev.txt

# The production processes of docker-compose.yml, runnable by hand against DATABASE_URL.
migrate: $(VENV)/.base-installed
	$(BIN)/python manage.py migrate --noinput

demo: $(VENV)/.base-installed
	$(BIN)/python manage.py seed_demo

web: $(VENV)/.base-installed
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn portal.wsgi:application --bind 0.0.0.0:$(PORT) --workers $${WEB_CONCURRENCY:-$$(( $$(nproc) * 2 + 1 ))} --access-logfile -

worker: $(VENV)/.base-installed
	$(BIN)/celery -A portal worker -l info -Q $${WORKER_QUEUES:-celery,reminders,publishing,exports} --concurrency $${WORKER_CONCURRENCY:-$$(nproc)}

beat: $(VENV)/.base-installed
	$(BIN)/celery -A portal beat -l info --schedule var/celerybeat-schedule

check-deploy: $(VENV)/.base-installed
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-check-only-$$(head -c 32 /dev/urandom | base64)} \
	PORTAL_IDENTITY_HASH_KEY=$${PORTAL_IDENTITY_HASH_KEY:-check-only} \
	DJANGO_SECURE_SSL_REDIRECT=1 DJANGO_SECURE_COOKIES=1 DJANGO_HSTS_SECONDS=31536000 \
	DJANGO_HSTS_INCLUDE_SUBDOMAINS=1 DJANGO_HSTS_PRELOAD=1 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## backup: pg_dump of DATABASE_URL + the media files + manifest into OUT (default var/backups/<time>); docs/backup.md
backup: $(VENV)/.base-installed
	$(BIN)/python manage.py backup $(if $(OUT),--out $(OUT))

## restore: DIR=<backup folder> INTO=<empty database URL> [MEDIA=<empty folder>] [FORCE=1]; docs/backup.md
restore: $(VENV)/.base-installed
	@test -n "$(DIR)" || { echo "usage: make restore DIR=var/backups/<time> INTO=postgres://.../empty_db [MEDIA=dir] [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore $(DIR) $(if $(INTO),--into $(INTO)) $(if $(MEDIA),--media-root $(MEDIA)) $(if $(FORCE),--force)

## bench: seed_scale databases (village, chengdu) and load them over HTTP with wrk; bench/README.md
bench: $(VENV)/.base-installed
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
	$(BIN)/python bench/web.py $(ARGS)

clean:
	rm -rf $(VENV) staticfiles
