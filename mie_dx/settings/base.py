"""Settings shared by every environment.

Everything that differs between machines is read from the environment with django-environ;
`.env.example` lists the variables. Optional integrations are switched here by what is
configured (a broker, a mail server), not hidden in production.py.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()  # untyped (django-environ): each setting it reads says its type
environ.Env.read_env(BASE_DIR / ".env")

DEBUG: bool = env.bool("DEBUG", default=False)
SECRET_KEY: str = env("SECRET_KEY", default="")
# After changing SECRET_KEY, the old one here keeps sessions and private links working.
SECRET_KEY_FALLBACKS: list[str] = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with an admin site that asks staff for the second factor.
    "mie_dx.two_factor.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "django_prometheus",
    "crispy_bootstrap5",
    # django-axes (the sign-in lockout), named in Japanese in the admin.
    "mie_dx.two_factor.apps.AxesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "simple_history",
    "import_export",
    "mie_dx",
    "advisors",
    "consultations",
    "seminars",
    "training",
    "procedures",
    "kpi",
]

MIDDLEWARE = [
    # Request counts and latency by view for /metrics (mie_dx.metrics): first and (nearly) last.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mie_dx.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor in this session.
    "django_otp.middleware.OTPMiddleware",
    # Staff who must pass the second factor go to it before any other page (mie_dx.two_factor).
    "mie_dx.two_factor.middleware.SecondFactorRequiredMiddleware",
    # Before anything reads the body (CSRF, the views); after the language and the user are
    # known, for its page.
    "mie_dx.middleware.RequestBodyLimitMiddleware",
    "mie_dx.middleware.LinkExpiredMiddleware",
    "mie_dx.middleware.MalformedFiscalYearMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes must be last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mie_dx.urls"
WSGI_APPLICATION = "mie_dx.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "mie_dx.context_processors.center",
                "mie_dx.context_processors.page_cache",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# The embedded default lets `make run` work with no other service; production and the tests
# use PostgreSQL through DATABASE_URL. Models stay portable between the two.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ----------------------------------------------------------
REDIS_URL: str = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mie_dx",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public read pages served from this cache to anonymous visitors (mie_dx.pagecache): kept at
# most PAGE_CACHE_SECONDS (renewed at once when what they show changes), and browsers or a
# reverse proxy may keep them PAGE_CACHE_MAX_AGE seconds (seats left: a few seconds at most).
PAGE_CACHE_ENABLED: bool = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_SECONDS: int = env.int("PAGE_CACHE_SECONDS", default=60)
PAGE_CACHE_MAX_AGE: int = env.int("PAGE_CACHE_MAX_AGE", default=5)

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# With no broker configured, tasks run in process (as pretix does), so `make run` needs
# nothing else. With REDIS_URL set, tasks go to the worker.
CELERY_TASK_ALWAYS_EAGER: bool = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # Publishing (a form's e-mail, queued on commit): one quick retry, then give up and leave
    # the row pending for the sweep, rather than keep a resident waiting while Redis is down
    # (kombu's default retries took about 6 s per message).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Beat's schedule is not here: each app declares its entries on its AppConfig
# (`beat_schedule`, mie_dx.registry) and the core hands them to beat at start-up.

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# SMTP through the outbox's backend, which tells "may have been delivered" (the connection
# dropped after the message was sent) from "not sent" (mie_dx.mail).
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_CONFIG["EMAIL_BACKEND"] = "mie_dx.mail.SMTPBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL: str = env(
    "DEFAULT_FROM_EMAIL", default="みえDXセンター <noreply@dxcenter.example.jp>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
# The center's inbox, which receives staff alerts.
CENTER_INBOX_EMAIL: str = env("CENTER_INBOX_EMAIL", default="dxcenter@pref.mie.lg.jp")
# The contact details the public sees (domain.md: the center's contact), on pages and e-mails.
CENTER_CONTACT_PHONE = "059-224-3086"
CENTER_CONTACT_EMAIL = "dxcenter@pref.mie.lg.jp"
# Absolute base used in links inside e-mails. `make run` sets it to the address it serves
# (http://HOST:PORT) unless SITE_URL is given in the environment.
SITE_URL: str = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# `load_demo` makes one sign-in account per staff role (mie_dx.demo_users). Local settings
# only: production refuses to start with it on.
DEMO_USERS = False

NOTIFICATION_MAX_RETRIES = 5
# Recovery within a minute of a fault clearing: retries double from 15 s up to 60 s; the
# sweep (every 30 s, its publish retried by beat through a broker outage) re-publishes a
# pending row 20 s after its task was due — a retry held by a worker that was killed, a publish
# that was lost (claiming is atomic, so an extra task is harmless) — and takes a row stuck in
# "sending" as interrupted soon after the task's time limit (CELERY_TASK_TIME_LIMIT, 90 s).
NOTIFICATION_RETRY_BACKOFF_SECONDS = 15
NOTIFICATION_RETRY_BACKOFF_MAX_SECONDS = 60
NOTIFICATION_REQUEUE_AFTER = timedelta(seconds=20)
# After a failed publish a process leaves the broker alone this long (mie_dx.delivery.BrokerBreaker).
NOTIFICATION_BROKER_PAUSE_SECONDS = 15
NOTIFICATION_SENDING_STALE_AFTER = timedelta(minutes=2)
# A due e-mail still waiting after this long counts as "late" in the backlog (admin counter,
# `manage.py outbox_status --check`): mail is not flowing.
NOTIFICATION_LATE_AFTER = timedelta(minutes=5)

# --- Consultations ---------------------------------------------------------------------------
# The center offers up to three advisor sessions per consultation.
CONSULTATION_MAX_ADVICE_SESSIONS: int = env.int("CONSULTATION_MAX_ADVICE_SESSIONS", default=3)
# Private links (mie_dx.links): status, management and supporter links keep working this long
# after the case or registration ends; survey links this long after the survey was sent.
PRIVATE_LINK_DAYS_AFTER_END = timedelta(days=env.int("PRIVATE_LINK_DAYS_AFTER_END", default=90))
SURVEY_LINK_DAYS = timedelta(days=env.int("SURVEY_LINK_DAYS", default=30))
CONSULTATION_SURVEY_REMINDER_AFTER = timedelta(days=7)
CONSULTATION_STALE_BUSINESS_DAYS = 3
# Requesters' personal data is erased this long after a consultation ends (purge command).
PERSONAL_DATA_RETENTION_DAYS: int = env.int("PERSONAL_DATA_RETENTION_DAYS", default=3 * 365)
# Backups (`manage.py backup`, mie_dx.backup): where the archives go, and how long they are
# kept — well under the retention above, so a backup never outlives a promise of erasure by
# much. The erasure journal (ids and times only) lives beside them, outside the database.
# `/metrics` (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset: no endpoint.
METRICS_TOKEN: str = env("METRICS_TOKEN", default="")
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_KEEP_DAYS: int = env.int("BACKUP_KEEP_DAYS", default=35)
ERASURE_JOURNAL_PATH = Path(
    env("ERASURE_JOURNAL_PATH", default=str(BACKUP_DIR / "erasure-journal.jsonl"))
)
# Public POSTs (mie_dx.ratelimits): successful submissions per address and hour — an office
# behind one shared address sends dozens — and per e-mail address on the forms.
PUBLIC_POST_RATE: str = env("PUBLIC_POST_RATE", default="30/h")
PUBLIC_FORM_EMAIL_RATE: str = env("PUBLIC_FORM_EMAIL_RATE", default="5/h")

# --- Seminars --------------------------------------------------------------------------------
# Registrants confirmed before (start − this) get a reminder at that time; later ones do not.
SEMINAR_REMINDER_BEFORE = timedelta(days=1)
# The survey goes out this long after the seminar ends, and not at all after the window.
SEMINAR_SURVEY_AFTER = timedelta(hours=1)
SEMINAR_SURVEY_WINDOW = timedelta(days=7)

# --- Auth and security -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# django-axes: lock an account, and separately an address, after repeated failures (wrong
# passwords and wrong second-factor codes), for a finite cool-off: one address cannot try many
# usernames, and many addresses cannot try one username.
# Attempts are counted in Redis when it is configured (shared by every web process), else in
# the database (a per-process memory cache would let each process count on its own).
# A successful sign-in clears the account's count, never the address's (mie_dx.two_factor.lockout).
AXES_HANDLER = (
    "mie_dx.two_factor.lockout.CacheHandler"
    if REDIS_URL
    else "mie_dx.two_factor.lockout.DatabaseHandler"
)
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The lock ends a fixed time after it starts: attempts during the lock do not extend it, so
# someone hammering a staff account cannot keep its owner out indefinitely.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# The staff second factor (mie_dx.two_factor): TOTP in an authenticator app, and one-time
# recovery codes. Required for superusers and anyone with a view_personal_data permission.
OTP_TOTP_ISSUER = "みえDXセンター"
# The device admin (where an administrator removes a lost device) never shows a key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# After each wrong code the next try waits 1, 2, 4 … seconds (until a right one).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Staff sessions end after 30 idle minutes: each request pushes the expiry forward.
SESSION_COOKIE_AGE: int = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-csp 4: no inline script anywhere; styles only from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# django-ratelimit reads RATELIMIT_ENABLE; a load test turns it off.
RATELIMIT_ENABLE: bool = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "mie_dx.views.ratelimited"

# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, the app
# is reached directly). The rate limit and the login lockout key on the visitor's address.
TRUSTED_PROXY_COUNT: int = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "mie_dx.client_ip.client_ip"
AXES_CLIENT_IP_CALLABLE = "mie_dx.client_ip.client_ip"

# --- i18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
# locale: the portal's English (Japanese is the source). locale_vendor: Japanese for
# third-party apps that ship none (django-axes), outside makemessages' reach.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    # Uploads (consultation attachments) live outside the public static area and are served
    # only through views that check permissions: there is no MEDIA_URL route.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media"))},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Refused with 413 before the body is read (mie_dx.middleware): a 10 MB attachment and the form.
MAX_REQUEST_BODY_BYTES: int = env.int("MAX_REQUEST_BODY_BYTES", default=11 * 1024 * 1024)
# Uploaded files are readable by the portal's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No private link's token in any log line (mie_dx.log_filters).
    "filters": {"mask_private_links": {"()": "mie_dx.log_filters.MaskPrivateLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_private_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
