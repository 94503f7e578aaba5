"""Development: `make run`. SQLite, in-process tasks and console e-mail unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="") or "django-insecure-local-development-only"
