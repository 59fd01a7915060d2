"""The project settings, with the benchmark URLconf and the bare views' templates.

Used as DJANGO_SETTINGS_MODULE=bench.webapp.settings by bench/web.py and bench/api.py only.
"""

from pathlib import Path

from dsar.settings import *  # noqa: F403
from dsar.settings import TEMPLATES

ROOT_URLCONF = "bench.webapp.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
