"""Development: `make run`. SQLite, in-process tasks and console e-mail unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="") or "django-insecure-local-development-only"

# `make run`'s load_demo makes one demo sign-in account per staff role and prints how to sign
# in (mie_dx.demo_users). DEMO_USERS=0 in the environment turns it off.
DEMO_USERS = env.bool("DEMO_USERS", default=True)
