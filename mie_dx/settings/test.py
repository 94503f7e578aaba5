"""The test suite: PostgreSQL and Redis, never silently replaced by SQLite or memory."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://root@127.0.0.1:5432/mie_dx"),
}
# Tests use their own Redis database so a run never flushes development data.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mie_dx_test",
    }
}
CELERY_BROKER_URL = REDIS_URL
# Tests run tasks in process; the worker test starts a real worker with this switched off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="memorymail://")
vars().update(EMAIL_CONFIG)
STORAGES["default"]["OPTIONS"]["location"] = env(  # noqa: F405
    "PRIVATE_MEDIA_ROOT",
    default="/tmp/mie_dx_test_media",  # noqa: S108
)
NOTIFICATION_RETRY_BACKOFF_SECONDS = 0
WHITENOISE_AUTOREFRESH = True
