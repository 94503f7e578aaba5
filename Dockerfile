# syntax=docker/dockerfile:1
# みえDXセンター portal: one image for the web server (gunicorn), the Celery worker and beat.
# docker-compose.yml runs it against PostgreSQL, Redis and Mailpit.
#
# Process model: one process kind per container, each restarted by the container runtime
# (compose: `restart: unless-stopped`), never a supervisor inside the image.
#   web     the CMD below (gunicorn; HEALTHCHECK: /healthz, liveness — 200 while Redis is down)
#   worker  celery -A mie_dx worker       any number; healthcheck: it answers `inspect ping`
#   beat    celery -A mie_dx beat         exactly one per deployment (the outbox sweep, digests)
# The e-mail outbox lives in PostgreSQL: a worker or beat that dies, or Redis that restarts,
# loses no e-mail (the sweep re-queues it; a send cut off mid-way is "may have been sent").
FROM python:3.11-slim

# PYTHONPATH: the project is imported from /app (templates, static and locale live beside the
# code and are found through BASE_DIR), never from the copy pip puts in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=mie_dx.settings.production \
    PRIVATE_MEDIA_ROOT=/var/lib/mie_dx/private_media \
    BACKUP_DIR=/var/lib/mie_dx/backups \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    WEB_CONCURRENCY=3

# gettext: compilemessages needs msgfmt. postgresql-client-16 (PostgreSQL's own apt repository,
# the server's major version): pg_dump and pg_restore for `manage.py backup` / `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSo /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 0750 /var/lib/mie_dx /var/lib/mie_dx/private_media \
       /var/lib/mie_dx/backups

WORKDIR /app
# Exact versions with their hashes first (a layer cached until the lock file changes), then the
# project itself without resolving anything again.
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock
COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# Static files and translations are built into the image. Production settings refuse to load
# without a SECRET_KEY, so these two commands get a throwaway one that exists only for this
# RUN step: it is not an ENV, and it is not in the image the containers run with.
RUN SECRET_KEY="build-only-collectstatic-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    sh -c 'python manage.py collectstatic --noinput --verbosity 0 \
        && python manage.py compilemessages --ignore=.venv --verbosity 0'

USER app
EXPOSE 8000

# 200 only when PostgreSQL and Redis answer. The request says it came through the TLS proxy
# (SECURE_PROXY_SSL_HEADER) so that SECURE_SSL_REDIRECT does not answer it with a redirect;
# ALLOWED_HOSTS must include 127.0.0.1 for this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'X-Forwarded-Proto': 'https'}); sys.exit(0 if urllib.request.urlopen(r, timeout=4).status == 200 else 1)"]

# Workers: WEB_CONCURRENCY (gunicorn reads it). Requests are short; 30 s is the ceiling before
# a stuck worker is replaced, and workers are recycled now and then against slow leaks.
CMD ["gunicorn", "mie_dx.wsgi:application", \
     "--config", "python:mie_dx.gunicorn_hooks", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "30", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--access-logfile", "-", \
     "--logger-class", "mie_dx.log_filters.GunicornLogger", \
     "--error-logfile", "-"]
