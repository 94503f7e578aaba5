"""Settings of the portal under bench/pages.py: production's, plus a bare view to compare with.

Only the benchmark uses this module (DJANGO_SETTINGS_MODULE=bench.pages_settings); the portal
itself never imports it.
"""

from mie_dx.settings.production import *  # noqa: F403
from mie_dx.settings.production import BASE_DIR, TEMPLATES, env

ROOT_URLCONF = "bench.pages_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# collectstatic writes here (the manifest that production's static storage needs).
STATIC_ROOT = env("BENCH_STATIC_ROOT")
