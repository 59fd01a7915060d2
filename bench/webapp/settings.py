"""The project settings, with the benchmark URLconf.

Used as DJANGO_SETTINGS_MODULE=bench.webapp.settings by bench/web.py and bench/api.py only.
"""

from dsar.settings import *  # noqa: F403

ROOT_URLCONF = "bench.webapp.urls"
