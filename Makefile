# みえDXセンター portal. `make run` and `make test` are the two commands a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address `make run` serves: the links in e-mails (and the sign-in address load_demo
# prints) follow it, unless SITE_URL is given (environment or `make run SITE_URL=...`).
SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test test-quick lock install lint format messages migrate demo worker beat check-services system-packages clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Exact versions with their hashes (requirements-dev.lock, made by `make lock`), then the project.
$(STAMP): pyproject.toml requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing the dependencies in pyproject.toml: pin every package (and its hashes) again.
LOCK_VENV := .venv-lock
lock:
	@test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools; }
	$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --output-file=requirements.lock pyproject.toml
	$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra=dev --output-file=requirements-dev.lock pyproject.toml

install: $(STAMP) messages

messages: $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { echo "msgfmt not found: apt-get install gettext"; exit 1; }
	cd $(CURDIR) && $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The portal on the embedded default (SQLite, tasks in process, console e-mail), or on
# PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set.
run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

run demo worker beat: export SITE_URL := $(SITE_URL)

# ruff, ruff-format, django-upgrade, makemigrations --check and mypy (.pre-commit-config.yaml),
# over every file, from this virtualenv (no hook is downloaded).
lint: $(STAMP)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-services: $(STAMP)
	DJANGO_SETTINGS_MODULE=mie_dx.settings.test $(PY) -m mie_dx.check_services

# The Debian packages the tests use (chromium, gettext, Japanese fonts): installed when
# missing and run as root, otherwise the exact apt-get line.
system-packages:
	@.ci/system-packages

# Every test, against PostgreSQL (DATABASE_URL, default the local server) and Redis (REDIS_URL).
# Coverage of the portal's code is printed at the end; under the floor in pyproject.toml
# ([tool.coverage.report] fail_under) the run fails. One pytest process per CPU (pytest-xdist),
# each with its own test database and Redis database (mie_dx.settings.test); a module's tests
# stay in one process.
TEST_PROCESSES ?= auto
test: system-packages install lint check-services
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile --cov --cov-report=term $(PYTEST_ARGS)

# A quick local run: everything but the browser (Playwright) and real-worker tests.
test-quick: install lint
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile -m "not browser and not worker" $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A mie_dx worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A mie_dx beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
