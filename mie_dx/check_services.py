"""`make test` runs this first: the suite needs real PostgreSQL and Redis, never a fallback."""

import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mie_dx.settings.test")
    django.setup()
    import psycopg
    import redis
    from django.conf import settings

    db = settings.DATABASES["default"]
    problems = []
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append(
            f"DATABASE_URL must point at PostgreSQL for the tests (got {db['ENGINE']})."
        )
    else:
        try:
            psycopg.connect(
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                user=db["USER"] or None,
                password=db["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as exc:
            problems.append(
                f"PostgreSQL at {db['HOST']}:{db['PORT']} is unreachable ({exc}).\n"
                "  Start it with: pg_ctlcluster --skip-systemctl-redirect "
                "$(ls /etc/postgresql) main start\n"
                "  or set DATABASE_URL=postgres://USER@HOST:PORT/NAME"
            )
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(
            f"Redis at {settings.REDIS_URL} is unreachable ({exc}).\n"
            "  Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
            '--save "" --appendonly no\n'
            "  or set REDIS_URL=redis://HOST:PORT/DB"
        )
    for problem in problems:
        sys.stderr.write(f"make test: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
