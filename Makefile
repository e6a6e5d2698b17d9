# Follicle: `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The venv is (re)installed whenever the dev lock changes: the stamp's name is its checksum.
STAMP := $(VENV)/.installed-$(shell cksum requirements-dev.lock | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/follicle
# `make run PORT=8001` when 8000 is taken.
PORT ?= 8000

.PHONY: install lock lock-upgrade run migrate demo test test-postgres test-redis test-e2e chromium wrk bench bench-http bench-exports lint format check-deploy backup restore clean

# Development and test venv: runtime and dev dependencies, exactly as locked, hashes checked.
$(STAMP): requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# After editing requirements.txt or requirements-dev.txt: recompile both locks (pins kept
# where still allowed), then commit the .txt and .lock files together. `make lock-upgrade`
# also moves unpinned (transitive) dependencies to their newest allowed releases.
# The dev lock is constrained by the runtime lock, so both hold the same runtime versions.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: install
	$(PIP_COMPILE) $(LOCK_ARGS) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) $(LOCK_ARGS) --constraint requirements.lock \
	  --output-file requirements-dev.lock requirements-dev.txt

lock-upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The web server and, beside it, the task worker (messages); stopping the server stops both.
run: demo
	$(PY) manage.py run_huey --verbosity 0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest -q

test-postgres: install
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q

# The tests that need the Redis on this machine (the task queue on Redis); .ci/run starts it.
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
test-redis: install
	REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest -q -m redis

# Browser tests (Playwright driving Debian's Chromium; no browser download).
chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium

test-e2e: install chromium
	$(PY) -m pytest -q -m e2e tests

# Benchmarks at clinic size (10,000 patients, 100,000 sessions) on SQLite and PostgreSQL.
BENCH_SQLITE := sqlite:///$(CURDIR)/bench.sqlite3
BENCH_PG := postgres://postgres@127.0.0.1:5432/follicle_bench
bench: install
	rm -f bench.sqlite3
	DATABASE_URL=$(BENCH_SQLITE) $(PY) manage.py migrate -v0
	DATABASE_URL=$(BENCH_SQLITE) $(PY) manage.py seed_bench
	DATABASE_URL=$(BENCH_SQLITE) $(PY) manage.py bench
	dropdb -h 127.0.0.1 -U postgres --if-exists follicle_bench
	createdb -h 127.0.0.1 -U postgres follicle_bench
	DATABASE_URL=$(BENCH_PG) $(PY) manage.py migrate -v0
	DATABASE_URL=$(BENCH_PG) $(PY) manage.py seed_bench
	DATABASE_URL=$(BENCH_PG) $(PY) manage.py bench

wrk:
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Pages over HTTP (gunicorn, production settings) beside a bare-Django floor, on SQLite and
# PostgreSQL; the clinic-scale databases are built once (docs/PERFORMANCE.md).
bench-http: install wrk
	$(PY) bench/run_http.py --database sqlite
	$(PY) bench/run_http.py --database postgres

# Export jobs at clinic scale (issue 18): TTFB of the pages that start them, time and peak memory.
bench-exports: install
	$(PY) bench/export_jobs.py --database sqlite
	$(PY) bench/export_jobs.py --database postgres

# ruff, then the import contracts in pyproject.toml (layers; pure clinical rules).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=clinic.example.org $(PY) manage.py check --deploy --fail-level WARNING

# make backup [FILE=path]; make restore FILE=path (into an empty database: create it first).
backup: install
	$(PY) manage.py backup $(if $(FILE),--output $(FILE))

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/backup"; exit 2; }
	$(PY) manage.py restore $(FILE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
