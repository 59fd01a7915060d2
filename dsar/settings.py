"""Settings for the DSAR tracker, read from the environment.

Every difference between environments comes from the variables listed in `.env.example`;
nothing here checks which machine it runs on.
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core ------------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-on"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)


def site_url_from_bind(bind: str) -> str:
    """The base URL a local browser reaches gunicorn at, from the Procfile's `WEB_BIND`.

    `make run` on another port must not mail links to port 8000; a wildcard address is reached
    through the loopback. Anything that is not `host:port` (a unix socket) falls back to 8000.
    """
    host, sep, port = bind.strip().rpartition(":")
    if not sep or not port.isdigit():
        return "http://127.0.0.1:8000"
    if host in ("", "0.0.0.0", "[::]", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


# Links in e-mails, letters and the calendar feed. Production sets it; a local run derives it from
# the address gunicorn binds to, so the links follow `WEB_BIND=127.0.0.1:8101 make run`.
SITE_URL = env.str(
    "SITE_URL", default=site_url_from_bind(env.str("WEB_BIND", default="127.0.0.1:8000"))
).rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "cases.api.apps.ApiKeyLibraryConfig",  # djangorestframework-api-key, minus its admin
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "auditlog",
    "anymail",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware, so that the length it sets is that of the corrected page.
    "cases.middleware.OneFullStopMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cases.middleware.RememberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: records the signed-in user as the actor of every audit entry.
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "dsar.urls"
WSGI_APPLICATION = "dsar.wsgi.application"
ASGI_APPLICATION = "dsar.asgi.application"

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
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
# SQLite is the embedded default so that a first run needs no server; production and CI set
# DATABASE_URL to PostgreSQL.

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends seconds compiling queries whose cost it overestimates
    # (measured: "my cases" at 100,000 cases, 4.2 s with it, 0.4 s without); short web
    # queries never gain from it. https://www.postgresql.org/docs/current/jit-decision.html
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users -----------------------------------------------------------------------------------

AUTH_USER_MODEL = "cases.User"
# ModelBackend, whose session user also says whether they are in an organisation (cases/auth.py).
# The second entry only keeps sessions signed in through it before the first existed.
AUTHENTICATION_BACKENDS = [
    "cases.auth.UserWithMembershipsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "cases:login"
LOGIN_REDIRECT_URL = "cases:my_cases"
LOGOUT_REDIRECT_URL = "cases:landing"
# Links in verification and password-reset e-mails stay valid this long (default 3 days).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time ----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dsar.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static and private files ----------------------------------------------------------------
# Evidence and letters live under MEDIA_ROOT, which no URL maps to: they are served only by
# views that check who may see the case.

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
# A request body without files (forms) stays small; files above the memory threshold go to a
# temporary file while they are checked, and the evidence view stops reading past
# UPLOAD_MAX_BYTES. https://docs.djangoproject.com/en/5.2/ref/settings/#file-upload-settings
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# A vendor's data export (issue 18) is far larger than other evidence (Takeout with audio runs to
# gigabytes): its own upload limit, and limits on what its analysis unpacks (cases.exports.limits).
DSAR_EXPORT_MAX_BYTES = env.int("DSAR_EXPORT_MAX_BYTES", default=4 * 1024**3)
DSAR_EXPORT_MAX_MEMBERS = env.int("DSAR_EXPORT_MAX_MEMBERS", default=200_000)
DSAR_EXPORT_MAX_UNPACKED_BYTES = env.int("DSAR_EXPORT_MAX_UNPACKED_BYTES", default=32 * 1024**3)
DSAR_EXPORT_MAX_RATIO = env.float("DSAR_EXPORT_MAX_RATIO", default=200.0)

# --- Cache and rate limits ------------------------------------------------------------------
# Every process must see the same counts: Redis when REDIS_URL is set, else a folder on disk.
# https://docs.djangoproject.com/en/5.2/topics/cache/

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dsar",
            # A cache answers in milliseconds or not at all. Only rate limits use it, and they
            # carry on without it (cases/ratelimit.py), so a hung server costs those requests a
            # quarter of a second, and nothing else.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# "count/seconds": at most `count` attempts per client (and per account or e-mail) per window.
# A request over the limit gets a 429 page saying when to try again.
# Password attempts are counted per client address ("login") and per account and address
# ("login_account"), never per account alone: someone guessing from elsewhere cannot lock the
# owner out (issue 15.5). A one-time link by e-mail ("login_link") lets the owner in even from a
# limited address.
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="30/300"),
    "login_account": env.str("RATE_LIMIT_LOGIN_ACCOUNT", default="10/300"),
    "login_link": env.str("RATE_LIMIT_LOGIN_LINK", default="5/3600"),
    "register": env.str("RATE_LIMIT_REGISTER", default="5/3600"),
    "password_reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/3600"),
    "request_create": env.str("RATE_LIMIT_REQUEST_CREATE", default="20/3600"),
}
# How long a one-time login link works (cases.services.login_links).
LOGIN_LINK_SECONDS = env.int("LOGIN_LINK_SECONDS", default=15 * 60)
# The request header holding the client's address when a proxy sits in front (e.g.
# HTTP_X_REAL_IP); empty means REMOTE_ADDR. Only set it when the proxy overwrites that header.
RATE_LIMIT_CLIENT_IP_HEADER = env.str("RATE_LIMIT_CLIENT_IP_HEADER", default="")

# --- Celery ----------------------------------------------------------------------------------
# Redis in production and CI; kombu's filesystem transport under var/ for a first run with no
# server. The database stays the source of truth: the broker only wakes workers.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html

CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
else:
    for sub in ("in", "processed", "control"):
        (CELERY_FILESYSTEM_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "in"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "in"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        # Where kombu keeps its exchange table; by default a `control/` folder in the cwd.
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queueing from a request (cases.queue.enqueue): one connection attempt and each reply within
# this many seconds, or the work is left to the scans; after a failure the process does
# not try the broker again for BROKER_SKIP_AFTER_FAILURE_SECONDS, so writes during an outage
# answer at once (issue 15.6). The broker answers in a millisecond when it is up.
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.1)
BROKER_SKIP_AFTER_FAILURE_SECONDS = env.float("BROKER_SKIP_AFTER_FAILURE_SECONDS", default=15)
# Fail fast when the broker is down: callers log and move on, the periodic scans catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "reminders-dispatch": {
        "task": "tasks.reminders.reminders_dispatch",
        "schedule": env.int("REMINDER_SCAN_SECONDS", default=120),
    },
    # Hourly rather than daily: each run is cheap and idempotent, and a missed night costs an hour.
    "deadlines-mark-missed": {"task": "tasks.deadlines.deadlines_mark_missed", "schedule": 3600},
    "deadlines-refresh-paused": {
        "task": "tasks.deadlines.deadlines_refresh_paused",
        "schedule": 6 * 3600,
    },
    # A letter whose render task was lost (broker down when it was asked for) is queued again.
    # Every minute, for letters waiting over a minute: one asked for during an outage renders
    # within two minutes of the broker's return (issue 15.7). Queued twice is harmless: the
    # render claims the row (`letter_render`), so no letter is rendered twice.
    "letters-requeue-stuck": {"task": "tasks.letters.letters_requeue_stuck", "schedule": 60},
    "exports-requeue-stuck": {"task": "tasks.exports.exports_requeue_stuck", "schedule": 300},
}
# How long a letter may wait for its render before the scan above queues it again.
LETTER_REQUEUE_AFTER_SECONDS = 60

# --- Reminders -------------------------------------------------------------------------------
# Days relative to each open deadline's date: a week before, on the day, and the day after.

REMINDER_OFFSETS_DAYS = [
    int(d) for d in env.list("REMINDER_OFFSETS_DAYS", default=["-7", "0", "1"])
]
REMINDER_SEND_HOUR = env.int("REMINDER_SEND_HOUR", default=9)
REMINDER_DEADLINE_KINDS = [
    "response",
    "extended_response",
    "admonition",
    "authority_progress",
]
REMINDER_REQUEUE_AFTER_SECONDS = 15 * 60
REMINDER_MAX_ATTEMPTS = 10

# --- Advocacy workspace and audit trail ------------------------------------------------------
# The public statistics show a group (a vendor, a vendor's month) only when it holds at least
# this many cases, so that no person can be singled out.
# https://django-auditlog.readthedocs.io/en/latest/usage.html#settings

STATS_MIN_GROUP = env.int("STATS_MIN_GROUP", default=10)
# The statistics are stored in PostgreSQL (materialized views) and refreshed this often by beat.
STATS_REFRESH_SECONDS = env.int("STATS_REFRESH_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["statistics-refresh"] = {
    "task": "tasks.workspace.statistics_refresh",
    "schedule": STATS_REFRESH_SECONDS,
}
WORKSPACE_PAGE_SIZE = 50
# The dashboard counts the matching cases up to this many, then says "more than": an exact count
# of 50,000 cases would cost more than the page itself (the API's count is capped alike).
WORKSPACE_COUNT_CAP = 1_000
WORKSPACE_BULK_CHUNK = 25
INVITATION_VALID_DAYS = 14
# Changes are stored as JSON (before/after per field), not as text.
AUDITLOG_STORE_JSON_CHANGES = True
# Behind a proxy the client's address comes from X-Forwarded-For; it is personal data that the
# trail does not need.
AUDITLOG_DISABLE_REMOTE_ADDR = True

# --- E-mail ----------------------------------------------------------------------------------
# Console backend unless EMAIL_URL (e.g. smtp+tls://user:pass@host:587) says otherwise.

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# For EMAIL_URL=filemail:// (django-environ drops the leading slash of a path in the URL).
if env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DSAR tracker <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Mail with vendors (cases/mail) ----------------------------------------------------------
# Letters sent from the app carry a reply address per case, case+<token>@DSAR_INBOUND_DOMAIN;
# replies come in by an IMAP mailbox (polled by beat), a provider's inbound webhook
# (django-anymail) or an uploaded .eml/.msg. Empty DSAR_INBOUND_DOMAIN: no reply address, and
# replies reach the person only. https://anymail.dev/en/stable/inbound/

DSAR_INBOUND_DOMAIN = env.str("DSAR_INBOUND_DOMAIN", default="")
# A message above this size keeps only its headers (and stays in the mailbox); its attachments
# become evidence up to MAIL_MAX_ATTACHMENTS of them, each within UPLOAD_MAX_BYTES.
MAIL_MAX_BYTES = env.int("MAIL_MAX_BYTES", default=50 * 1024 * 1024)
MAIL_MAX_ATTACHMENTS = env.int("MAIL_MAX_ATTACHMENTS", default=20)
# imaps://user:password@host:993/INBOX (or imap:// for STARTTLS-less loopback); empty: no polling.
MAIL_IMAP_URL = env.str("MAIL_IMAP_URL", default="")
# Where read messages go; empty: they stay in the folder, marked \\Seen.
MAIL_IMAP_PROCESSED_FOLDER = env.str("MAIL_IMAP_PROCESSED_FOLDER", default="")
MAIL_IMAP_TIMEOUT_SECONDS = env.float("MAIL_IMAP_TIMEOUT_SECONDS", default=30.0)
MAIL_POLL_SECONDS = env.int("MAIL_POLL_SECONDS", default=120)
# After n failures in a row the next poll waits min(base * 2**(n-1), max) seconds.
MAIL_POLL_BACKOFF_BASE_SECONDS = 60
MAIL_POLL_BACKOFF_MAX_SECONDS = 3600
if MAIL_IMAP_URL:
    CELERY_BEAT_SCHEDULE["mail-poll"] = {
        "task": "tasks.mail.mail_poll",
        "schedule": MAIL_POLL_SECONDS,
    }
# Inbound webhooks: django-anymail checks the provider's signature with these secrets.
ANYMAIL = {
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    # HTTP basic auth on every webhook URL, as "user:password" (anymail's shared secret).
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
}

# --- Security --------------------------------------------------------------------------------
# Production (DEBUG off) runs behind TLS; these make `check --deploy` clean.

# Sessions live in the database (Django's default engine): a Redis outage logs nobody out.
# https://docs.djangoproject.com/en/5.2/topics/http/sessions/#using-database-backed-sessions
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- REST framework --------------------------------------------------------------------------
# The API for partner tools under /api/v1/: API keys ("Authorization: Api-Key <key>") or the
# site's session, one error shape (cases.api.errors), a request budget per key. CORS is closed:
# no CORS middleware is installed, so no response carries an Access-Control-* header and
# browsers on other origins cannot call the API; partner tools call it from their servers.
# https://www.django-rest-framework.org/api-guide/settings/

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cases.api.permissions.IsPrincipal"],
    "DEFAULT_THROTTLE_CLASSES": ["cases.api.throttling.PrincipalThrottle"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only: a form encoding cannot say null or an empty list, and would let "1" pass
    # for 1. The one upload (evidence) reads multipart/form-data on its own view.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "cases.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Content negotiation by the Accept header only; no `?format=` parameter.
    "URL_FORMAT_OVERRIDE": None,
    "DATETIME_FORMAT": "iso-8601",
}
# Requests per key (or per signed-in user) per window: "count/seconds".
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="1200/60")
API_MAX_PAGE_SIZE = 200
# Lists count matching rows up to this many and then say "more" (cases.api.pagination), so a page
# costs the same however large the table grows. Counting an organisation's 5,000 cases took
# 18 ms against 1.3 ms for the page itself (bench/api.py); 1,000 rows stay a few milliseconds.
API_COUNT_CAP = 1_000
# An Idempotency-Key is remembered this long; a retry after that creates a new resource.
API_IDEMPOTENCY_HOURS = 24

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "DSAR tracker API",
    # The API's documentation, shown at /api/docs/: authentication, errors, idempotency,
    # pagination, letters, webhooks and their signature, limits and CORS.
    "DESCRIPTION": (BASE_DIR / "cases" / "api" / "description.md").read_text(),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatus": "cases.models.case.Status",
        "DeadlineStateEnum": "cases.models.deadline.DeadlineState",
        "LetterStatusEnum": "cases.models.letter.LetterStatus",
        "ChannelEnum": "cases.models.case.Channel",
        "OutcomeEnum": "cases.models.case.Outcome",
        "Article15ItemEnum": "cases.models.case.Article15Item",
        "RequestKindEnum": "cases.models.case.RequestKind",
        "EventKindEnum": "cases.models.case.EventKind",
        "DeadlineKindEnum": "cases.models.deadline.DeadlineKind",
        "IncidentKindEnum": "cases.models.incident.IncidentKind",
        "LetterKindEnum": "cases.models.letter.LetterKind",
        "MandateScopeEnum": "cases.models.workspace.MandateScope",
        "WebhookEventTypeEnum": "cases.models.api.WebhookEventType",
        "DeliveryStateEnum": "cases.models.api.DeliveryState",
        "MessageSourceEnum": "cases.models.mail.MessageSource",
        "MessageStateEnum": "cases.models.mail.MessageState",
        "SuggestionEnum": "cases.models.mail.Suggestion",
        "UnfiledReasonEnum": "cases.models.mail.UnfiledReason",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cases.api.schema.add_error_responses",
        "cases.api.schema.add_checklists",
    ],
    # The docs page loads Swagger UI from this site (drf-spectacular-sidecar), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Webhooks --------------------------------------------------------------------------------
# Signed in the Standard Webhooks format (https://www.standardwebhooks.com/); retried with the
# delays below (seconds) after the first attempt, then marked failed.

_WEBHOOK_RETRY_DEFAULT = ["5", "300", "1800", "7200", "18000", "36000"]
WEBHOOK_RETRY_DELAYS = [
    int(s) for s in env.list("WEBHOOK_RETRY_DELAYS", default=_WEBHOOK_RETRY_DEFAULT)
]
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Endpoints on loopback or private networks are refused unless this is on (local development
# and tests): an organisation must not make the server call into its own network.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
CELERY_BEAT_SCHEDULE.update(
    {
        # Deliveries whose task was lost or whose retry is due, and reminders that fell due.
        "webhooks-dispatch": {"task": "tasks.webhooks.webhooks_dispatch", "schedule": 60},
        "api-idempotency-purge": {"task": "tasks.webhooks.idempotency_purge", "schedule": 3600},
    }
)

# --- Logging ---------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Content-Security-Policy (django-csp) -------------------------------------------------------
# Every page: scripts, styles, images, fonts and fetches from this site only; no inline script
# or style (the product's scripts are files under static/js), no plugins, no framing, forms post
# here only (issue 15.4). The API docs page (Swagger UI) relaxes what it needs, on its own view
# (dsar/urls.py). https://django-csp.readthedocs.io/
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
