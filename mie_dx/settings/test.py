"""The test suite: PostgreSQL and Redis, never silently replaced by SQLite or memory."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://root@127.0.0.1:5432/mie_dx"),
}
# The tests flush the Redis database they use after each test. They use REDIS_URL's server,
# but never its database 0 (where development data and a deployment's broker live): a URL
# naming database 0, or none, is moved to database 15.
_redis = urlsplit(env("REDIS_URL", default="redis://127.0.0.1:6379/15"))
if _redis.path.strip("/") in ("", "0"):
    _redis = _redis._replace(path="/15")
# Under pytest-xdist (`make test` runs two processes), each process gets its own Redis
# database below REDIS_URL's (gw0: 15, gw1: 14, …), as pytest-django gives each its own test
# database: one process's cache.clear() must not empty another's rate limits or pages.
_XDIST_WORKER = int(env("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw") or 0)
if _XDIST_WORKER:
    _redis = _redis._replace(path=f"/{int(_redis.path.strip('/')) - _XDIST_WORKER}")
REDIS_URL = urlunsplit(_redis)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mie_dx_test",
    }
}
CELERY_BROKER_URL = REDIS_URL
# As in production with Redis: login attempts are counted in the cache.
AXES_HANDLER = "mie_dx.two_factor.lockout.CacheHandler"
# Tests run tasks in process; the worker test starts a real worker with this switched off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="memorymail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_CONFIG["EMAIL_BACKEND"] = "mie_dx.mail.SMTPBackend"
vars().update(EMAIL_CONFIG)
STORAGES["default"]["OPTIONS"]["location"] = env(  # noqa: F405
    "PRIVATE_MEDIA_ROOT",
    default="/tmp/mie_dx_test_media",  # noqa: S108
) + (f"_{_XDIST_WORKER}" if _XDIST_WORKER else "")
NOTIFICATION_RETRY_BACKOFF_SECONDS = 0
WHITENOISE_AUTOREFRESH = True
BACKUP_DIR = Path(f"/tmp/mie_dx_test_backups_{_XDIST_WORKER}")  # noqa: S108
ERASURE_JOURNAL_PATH = BACKUP_DIR / "erasure-journal.jsonl"
