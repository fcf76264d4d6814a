"""rucher settings, read from the environment (see docs/deploy.md).

EMAIL_URL      smtp://[user:password@]host[:port] (smtp+tls:// STARTTLS, smtps:// TLS),
               console:, file:///folder; default file:// under RUCHER_DATA_DIR/mail
DATABASE_URL   default sqlite under RUCHER_DATA_DIR; postgres://… for the scale-out path
REDIS_URL      optional cache, and the doorbell of live updates between processes
SECRET_KEY     default: generated once and kept in RUCHER_DATA_DIR/secret_key
RUCHER_DATA_DIR default ./var (database, attachments, learned models)
RUCHER_DEBUG   "1" for development only
RUCHER_TASK_LEASE_SECONDS  a task RUNNING longer than this lost its worker (default 300)
RUCHER_BASE_URL the address people open rucher at, for links that leave it (e-mails, feeds)
               (default http://127.0.0.1:8000)
RUCHER_DIGEST_TICK_SECONDS how often the worker looks for digests due (default 300)
RUCHER_OIDC_* / RUCHER_SAML_* / RUCHER_SSO_* / RUCHER_LOCAL_PASSWORDS  single sign-on (docs/sso.md)
RUCHER_KEEP_*  how long read notifications, ended webhook deliveries and finished tasks are
               kept (docs/deploy.md, "Housekeeping")
RUCHER_TWO_FACTOR admins (default) | optional | everyone: TOTP for password sign-ins
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RUCHER_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("RUCHER_DEBUG") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks): the sign-in
# limits count failures per client address (people/throttle.py, docs/deploy.md).
RUCHER_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("RUCHER_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in RUCHER_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"RUCHER_TRUSTED_PROXIES: {_error}") from _error
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'rucher.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from error
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Connections persist (CONN_MAX_AGE above): opening one and running these pragmas cost
        # more than a whole cached stream read.
        # WAL lets readers run beside the writer; IMMEDIATE avoids lock upgrades mid-transaction.
        # rucher's backend queues writers on a lock file instead of SQLite's busy polling, which
        # starves some writers under load (rucher/db/sqlite3/base.py). ``timeout`` bounds that
        # wait and SQLite's busy timeout alike: there is no PRAGMA busy_timeout below, which,
        # run after connecting, would silently replace it (docs/deploy.md, "SQLite").
        config["ENGINE"] = "rucher.db.sqlite3"
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("RUCHER_SQLITE_TIMEOUT", "30")),
        }
        # Tests: in memory, as Django does for its own engine (pytest-django, which recognises
        # only that engine's name, would otherwise make a file name per xdist worker).
        config["TEST"] = {"NAME": ":memory:"}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        suffix = os.environ.get("RUCHER_TEST_DB_SUFFIX", "")
        config["TEST"] = {"NAME": f"test_{config['NAME']}{suffix}"}
        # Server-side binding lets psycopg prepare a statement after a few runs on a (persistent)
        # connection, so the hot paths stop paying PostgreSQL's planner on every request (it
        # cost more than executing them). A transaction-mode pooler cannot keep prepared
        # statements: RUCHER_PG_PREPARED=0 turns them off (docs/deploy.md).
        options: dict[str, Any] = dict(config.get("OPTIONS") or {})
        if os.environ.get("RUCHER_PG_PREPARED", "1") != "0":
            options |= {"server_side_binding": True, "prepare_threshold": 2}
        # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the
        # read policy's subqueries, over a thousand search candidates at a million items,
        # passed it and spent 1.1 s compiling a query that ran in 40 ms. rucher's queries
        # are short: JIT off for its connections; RUCHER_PG_JIT=server keeps the server's
        # setting (e.g. behind a pooler that refuses startup options; docs/deploy.md).
        if os.environ.get("RUCHER_PG_JIT", "off") != "server":
            options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        config["OPTIONS"] = options
    return dict(config)


DATABASES = {"default": _database()}


def email_settings(url: str) -> dict[str, Any]:
    """Django's e-mail settings from one ``EMAIL_URL`` (see the module's docstring)."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # "smtp://[::1": a bracket left open
        raise ImproperlyConfigured(f"EMAIL_URL is not a URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL: file:///folder needs a folder")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme in ("smtp", "smtp+tls", "smtps"):
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL: smtp://host[:port] needs a host")
        try:
            port = parts.port
        except ValueError as error:
            raise ImproperlyConfigured(f"EMAIL_URL: {error}") from error
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme],
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": 10,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL: unknown scheme {scheme!r} (smtp, smtp+tls, smtps, console, file)"
    )


# Without EMAIL_URL (the demo, a laptop) e-mails are written as files under ./var/mail.
globals().update(email_settings(os.environ.get("EMAIL_URL") or (DATA_DIR / "mail").as_uri()))
DEFAULT_FROM_EMAIL = os.environ.get("EMAIL_FROM", "rucher <rucher@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# E-mailed notifications and digests (docs/notifications-email.md).
RUCHER_BASE_URL = os.environ.get("RUCHER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if (
    urlsplit(RUCHER_BASE_URL).scheme not in ("http", "https")
    or not urlsplit(RUCHER_BASE_URL).hostname
):
    raise ImproperlyConfigured("RUCHER_BASE_URL: http(s)://host[:port][/path] expected")
RUCHER_UNSUBSCRIBE_MAILTO = os.environ.get("RUCHER_UNSUBSCRIBE_MAILTO", "")  # optional address
# Web push (notifications/push.py, docs/deploy.md): the VAPID key pair that signs every push;
# without RUCHER_VAPID_PRIVATE_KEY, one is generated once into RUCHER_DATA_DIR/vapid_private.pem.
RUCHER_VAPID_PRIVATE_KEY = os.environ.get("RUCHER_VAPID_PRIVATE_KEY", "")  # base64url, raw or DER
RUCHER_VAPID_PUBLIC_KEY = os.environ.get("RUCHER_VAPID_PUBLIC_KEY", "")  # optional: checked
RUCHER_VAPID_SUBJECT = os.environ.get("RUCHER_VAPID_SUBJECT", "")  # mailto:; default: EMAIL_FROM
# The push services a browser's subscription may point at (host suffixes; "*": any https host).
RUCHER_PUSH_SERVICES = [
    h.strip().lower()
    for h in os.environ.get(
        "RUCHER_PUSH_SERVICES",
        "fcm.googleapis.com,updates.push.services.mozilla.com,push.services.mozilla.com,"
        "web.push.apple.com,notify.windows.com",
    ).split(",")
    if h.strip()
]
# Plain http to 127.0.0.1/localhost push services: a local test receiver (DEBUG, tests).
RUCHER_PUSH_ALLOW_LOCAL_HTTP = DEBUG
RUCHER_PUSH_TIMEOUT_SECONDS = 5.0
RUCHER_PUSH_MAX_FAILURES = 5  # consecutive failures before a subscription is dropped
RUCHER_UNSUBSCRIBE_MAX_AGE_DAYS = 180  # an unsubscribe link works this long (RFC 8058)
try:
    RUCHER_DIGEST_TICK_SECONDS = int(os.environ.get("RUCHER_DIGEST_TICK_SECONDS", 300))
except ValueError as _error:
    raise ImproperlyConfigured("RUCHER_DIGEST_TICK_SECONDS: a number of seconds") from _error


def _days(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: a number of days") from error
    if value < 1:
        raise ImproperlyConfigured(f"{name}: at least 1 day")
    return value


# Housekeeping (`rucher prune`, and the worker once a day): how long what only serves a while
# is kept. Unread notifications and deliveries still being retried are never pruned.
RUCHER_KEEP_READ_NOTIFICATIONS_DAYS = _days("RUCHER_KEEP_READ_NOTIFICATIONS_DAYS", 180)
RUCHER_KEEP_WEBHOOK_DELIVERIES_DAYS = _days("RUCHER_KEEP_WEBHOOK_DELIVERIES_DAYS", 30)
RUCHER_KEEP_TASK_RESULTS_DAYS = _days("RUCHER_KEEP_TASK_RESULTS_DAYS", 7)
RUCHER_KEEP_FAILED_TASK_RESULTS_DAYS = _days("RUCHER_KEEP_FAILED_TASK_RESULTS_DAYS", 30)
RUCHER_KEEP_TASK_MARKS_DAYS = 30  # far beyond any task's retries
# An erased member's content: "keep" (attributed to "former member") or "erase" (docs/privacy.md).
RUCHER_ERASURE_CONTENT = os.environ.get("RUCHER_ERASURE_CONTENT", "keep")
if RUCHER_ERASURE_CONTENT not in ("keep", "erase"):
    raise ImproperlyConfigured("RUCHER_ERASURE_CONTENT: keep or erase")
# Nearest by meaning (rucher.meaning): at or above this many vectors an approximate index
# (usearch HNSW, one graph per kind) proposes the candidates, built in a background thread
# (brute force answers meanwhile); below it brute force alone, exact (docs/meaning.md).
RUCHER_MEANING_ANN_MIN_ITEMS = int(os.environ.get("RUCHER_MEANING_ANN_MIN_ITEMS", 20_000))
RUCHER_MEANING_ANN_BACKGROUND = True  # tests build it in the request instead
# Where a built index is saved, so that a restart loads it (reconciled with the database)
# instead of building again; None: never saved.
RUCHER_MEANING_ANN_DIR: Path | None = DATA_DIR / "meaning-ann"
RUCHER_EXPORT_LIFETIME_SECONDS = 7 * 86400  # a data export's download link works this long
RUCHER_DIGEST_CATCH_UP_HOURS = 6  # a digest missed by more than this waits for the next one
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # reset links work for a day, and only once
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",  # serves the API docs page's assets from the package (no CDN)
    "django_tasks",
    "django_tasks_db",  # the task queue's table (docs/architecture.md, "After commit")
    "django_otp",  # two-factor sign-in: TOTP devices (docs/sso.md, "Two-factor sign-in")
    "django_otp.plugins.otp_totp",
    "rucher.people",
    "rucher.spaces",
    "rucher.conversations",
    "rucher.streams",
    "rucher.meaning",
    "rucher.sentiment",
    "rucher.messaging",
    "rucher.recognition",
    "rucher.notifications",
    "rucher.expertise",
    "rucher.moderation",
    "rucher.charter",
    "rucher.search",
    "rucher.webhooks",
    "rucher.feeds",
    "rucher.live",
    "rucher.activity",
    "rucher.audit",
    "rucher.api",
    "rucher.idempotency",
    "rucher.identity",
    "rucher.privacy",
    "rucher.provisioning",
    "rucher.web",
    "rucher.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rucher.api.middleware.ApiJsonErrors",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # "Last seen" of the session (at most once a minute) and the two-factor enrolment gate.
    "rucher.web.security.SessionSeen",
    "rucher.web.security.TwoFactorGate",
    # The language saved in the signed-in person's profile wins over the browser's.
    "rucher.web.language.PersonLanguage",
    "rucher.web.pace.RequestPace",
    "rucher.api.middleware.ApiIdempotency",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # A contribution refused until the charter is accepted shows it (docs/charter.md).
    "rucher.web.views_charter.CharterGate",
]

ROOT_URLCONF = "rucher.urls"
WSGI_APPLICATION = "rucher.wsgi.application"
AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = ["rucher.people.throttle.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rucher.web.context_processors.notifications",
            ],
        },
    }
]

# Argon2 first (OWASP's recommendation); the others only verify legacy hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
# Dates in English: day first ("6 December 2026", "06/12/2026 17:53") for a French
# organisation, the default; RUCHER_ENGLISH_DATES=month-first gives Django's US formats.
RUCHER_ENGLISH_DATES = os.environ.get("RUCHER_ENGLISH_DATES", "day-first")
if RUCHER_ENGLISH_DATES not in ("day-first", "month-first"):
    raise ImproperlyConfigured('RUCHER_ENGLISH_DATES: "day-first" or "month-first"')
if RUCHER_ENGLISH_DATES == "day-first":
    FORMAT_MODULE_PATH = ["rucher.web.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it, even when serving from finders
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Served from the packages' own folders: no collectstatic step before `rucher serve`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"  # attachments are served by a permission-checked view only

if os.environ.get("RUCHER_HTTPS") == "1":  # served behind TLS: cookies never travel in clear
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("RUCHER_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = SECURE_HSTS_INCLUDE_SUBDOMAINS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A request that reached rucher in clear is sent to https (the proxy's health checks call
    # /healthz directly, so it answers in clear).
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): nothing inline runs or styles a page unless it carries
# the response's nonce; every script and style sheet is served by rucher itself. The few
# elements that need the nonce are named in docs/deploy.md ("Content-Security-Policy").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # plotly.js clears a colour bar's style attribute (``style=""``): the empty style,
        # and only it, is allowed by its hash; any other inline style is refused.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}


# Budgets per account and per API token over the last minute, a moving window
# (rucher.web.pace); "off" turns one off. Counted in Redis when REDIS_URL is set (shared by
# every process), else per process.
def _rate(name: str, default: str) -> str | None:
    value = os.environ.get(name, default).strip()
    return None if value.lower() in {"", "off", "0"} else value


RUCHER_RATE_LIMITS: dict[str, str | None] | None = {
    "writes": _rate("RUCHER_RATE_WRITES", "120/minute"),
    "api_reads": _rate("RUCHER_RATE_API_READS", "1200/minute"),
    # The directory's SCIM connection: an organisation's sync of thousands of accounts is not
    # a person writing, so it has a budget of its own (reads and writes together).
    "directory": _rate("RUCHER_RATE_DIRECTORY", "6000/minute"),
}
RUCHER_RATE_LIMIT_STORAGE = os.environ.get("REDIS_URL") or "memory://"

# The cockpit's reports: computed by the worker after new events and read by the web
# process, so a cache both processes share (files under the data directory, or Redis).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Mostly stream pages: two entries per active reader (the page at the current write
        # generation and the last one built, streams/cache.py), 5-30 KB each. Django's default
        # of 300 entries held the pages of 150 readers; past it, a third is dropped at once.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "cockpit": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "cockpit"),
        "OPTIONS": {"MAX_ENTRIES": 300},  # reports of 0.1–1 MB each
    },
}
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        },
        "cockpit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "cockpit",
        },
    }

# After commit: events are handed to their subscribers as tasks in the database, run by
# `rucher worker` (docs/architecture.md, "After commit: the worker"). No extra server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task left RUNNING longer than this (its worker was killed) is run again; a subscriber
# must finish well within it.
RUCHER_TASK_LEASE_SECONDS = int(os.environ.get("RUCHER_TASK_LEASE_SECONDS", 300))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Limits documented in docs/architecture.md ("Limits").
RUCHER_MAX_TEXT_LENGTH = 20_000
RUCHER_MAX_COMMENT_LENGTH = 5_000
RUCHER_MAX_ATTACHMENT_BYTES = int(os.environ.get("RUCHER_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
RUCHER_ATTACHMENT_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
RUCHER_STREAM_PAGE_SIZE = 20
RUCHER_STREAM_MAX_PAGE_SIZE = 100
RUCHER_SPACE_SPLIT_THRESHOLD = 150  # Dunbar's number: suggest sub-spaces past it
RUCHER_DELETED_RETENTION_DAYS = 30
# Direct messages (docs/messaging.md): messages older than this many days are deleted by the
# daily retention run (0: kept for ever); who-talked-to-whom counts (never the words) enter
# the contract export, the cockpit and the insights only when the organisation allows it.
RUCHER_MESSAGE_RETENTION_DAYS = int(os.environ.get("RUCHER_MESSAGE_RETENTION_DAYS", "0"))
if RUCHER_MESSAGE_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("RUCHER_MESSAGE_RETENTION_DAYS: a number of days, 0 for ever")
RUCHER_MESSAGING_IN_INSIGHTS = os.environ.get("RUCHER_MESSAGING_IN_INSIGHTS", "0") == "1"
# Sensitive data caught before publishing (docs/moderation.md, "Before publishing"): the
# organisation's overrides of rucher.sensitive.Policy's defaults, as Policy.from_dict reads
# them, e.g. {"actions": {"partner": {"iban": "block"}}, "confidential_terms": ["Aurore"]};
# from the environment as JSON. Empty: the defaults.
RUCHER_SENSITIVE_POLICY: dict[str, object] = json.loads(
    os.environ.get("RUCHER_SENSITIVE_POLICY", "{}")
)

# Single sign-on (docs/sso.md, docs/deploy.md "Single sign-on"). OpenID Connect is on when
# its issuer and client id are set; SAML 2.0 when the provider's metadata file is set.
RUCHER_OIDC_ISSUER = os.environ.get("RUCHER_OIDC_ISSUER", "").rstrip("/")
RUCHER_OIDC_CLIENT_ID = os.environ.get("RUCHER_OIDC_CLIENT_ID", "")
RUCHER_OIDC_CLIENT_SECRET = os.environ.get("RUCHER_OIDC_CLIENT_SECRET", "")
RUCHER_OIDC_SCOPES = os.environ.get("RUCHER_OIDC_SCOPES", "openid email profile")
RUCHER_OIDC_NAME = os.environ.get("RUCHER_OIDC_NAME", "")  # the button: "Sign in with NAME"
RUCHER_OIDC_GROUPS_CLAIM = os.environ.get("RUCHER_OIDC_GROUPS_CLAIM", "groups")
RUCHER_SAML_IDP_METADATA = os.environ.get("RUCHER_SAML_IDP_METADATA", "")  # a file
RUCHER_SAML_NAME = os.environ.get("RUCHER_SAML_NAME", "")
RUCHER_SAML_SP_ENTITY_ID = os.environ.get(
    "RUCHER_SAML_SP_ENTITY_ID", f"{RUCHER_BASE_URL}/sso/saml/metadata/"
)
RUCHER_SAML_SP_KEY = os.environ.get("RUCHER_SAML_SP_KEY", "")  # optional: signs AuthnRequests
RUCHER_SAML_SP_CERT = os.environ.get("RUCHER_SAML_SP_CERT", "")


# Attribute names of the SAML assertion ({"email": …, "given_name": …, "family_name": …,
# "groups": …}); the defaults read ADFS's and Entra's claim types and the plain names.
def _json_object(name: str) -> dict[str, Any]:
    try:
        value = json.loads(os.environ.get(name) or "{}")
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: not JSON ({error})") from error
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name}: a JSON object expected")
    return value


RUCHER_SAML_ATTRIBUTES: dict[str, str] = _json_object("RUCHER_SAML_ATTRIBUTES")
RUCHER_SSO_CREATE_ACCOUNTS = os.environ.get("RUCHER_SSO_CREATE_ACCOUNTS", "0") == "1"
RUCHER_SSO_LINK_BY_EMAIL = os.environ.get("RUCHER_SSO_LINK_BY_EMAIL", "1") != "0"
# {"group": {"department": "Finance", "kind": "employee", "spaces": ["slug", …]}, …}
RUCHER_SSO_GROUP_MAP: dict[str, dict[str, Any]] = _json_object("RUCHER_SSO_GROUP_MAP")
for _group, _rule in RUCHER_SSO_GROUP_MAP.items():
    if not isinstance(_rule, dict) or set(_rule) - {"department", "kind", "spaces"}:
        raise ImproperlyConfigured(
            f"RUCHER_SSO_GROUP_MAP[{_group!r}]: an object with department, kind and/or spaces"
        )
    if _rule.get("kind", "employee") not in ("employee", "partner", "community_manager", "admin"):
        raise ImproperlyConfigured(f"RUCHER_SSO_GROUP_MAP[{_group!r}]: unknown kind")
    if not isinstance(_rule.get("spaces", []), list):
        raise ImproperlyConfigured(f"RUCHER_SSO_GROUP_MAP[{_group!r}]: spaces is a list")
# "all": everyone may use a local password; "admins": administrators only (break-glass).
RUCHER_LOCAL_PASSWORDS = os.environ.get("RUCHER_LOCAL_PASSWORDS", "all")
if RUCHER_LOCAL_PASSWORDS not in ("all", "admins"):
    raise ImproperlyConfigured('RUCHER_LOCAL_PASSWORDS: "all" or "admins"')
# Two-factor sign-in for local passwords (docs/sso.md): "optional" (members may turn it on),
# "admins" (administrators must: the default), "everyone" (every password sign-in must).
# Single sign-on is exempt: the identity provider does its own checks.
# The default asks administrators for the second factor: their accounts can do everything,
# and local passwords stay on for them even when employees sign in through the provider.
# `rucher demo` runs with "optional" (its accounts sign in with the password "demo").
RUCHER_TWO_FACTOR = os.environ.get("RUCHER_TWO_FACTOR", "admins")
if RUCHER_TWO_FACTOR not in ("optional", "admins", "everyone"):
    raise ImproperlyConfigured('RUCHER_TWO_FACTOR: "optional", "admins" or "everyone"')
OTP_TOTP_ISSUER = os.environ.get("RUCHER_TWO_FACTOR_ISSUER", "rucher")
# Who knows about X? (rucher.expertise): the worker retrains the expert model every
# RUCHER_EXPERTS_TRAIN_SECONDS and after RUCHER_EXPERTS_RETRAIN_AFTER new accepted answers;
# a question without an answer for RUCHER_EXPERTS_UNANSWERED_HOURS suggests experts to its
# author.
RUCHER_EXPERTS_TRAIN_SECONDS = float(os.environ.get("RUCHER_EXPERTS_TRAIN_SECONDS", "3600"))
RUCHER_EXPERTS_RETRAIN_AFTER = int(os.environ.get("RUCHER_EXPERTS_RETRAIN_AFTER", "20"))
# After a write, "who knows" answers from the previous index for up to this many seconds
# while a fresh one is built in the background (0: rebuild before answering).
RUCHER_EXPERTS_STALE_SECONDS = float(os.environ.get("RUCHER_EXPERTS_STALE_SECONDS", "600"))
RUCHER_EXPERTS_UNANSWERED_HOURS = float(os.environ.get("RUCHER_EXPERTS_UNANSWERED_HOURS", "24"))
# At most this many expert requests per person in seven days (0: none).
RUCHER_EXPERTS_REQUESTS_PER_WEEK = int(os.environ.get("RUCHER_EXPERTS_REQUESTS_PER_WEEK", "3"))
# Essentiel, the short stream (streams/essential.py): how many items a page shows, and how
# many days back it looks for conversations.
RUCHER_ESSENTIAL_ITEMS = int(os.environ.get("RUCHER_ESSENTIAL_ITEMS", "20"))
RUCHER_ESSENTIAL_DAYS = int(os.environ.get("RUCHER_ESSENTIAL_DAYS", "7"))
# How long a reader's Essentiel is kept as chosen while only others write (their own acts
# choose it again at once): a short list for the day, not a feed (streams/essential.py).
RUCHER_ESSENTIAL_REFRESH_SECONDS = int(os.environ.get("RUCHER_ESSENTIAL_REFRESH_SECONDS", "300"))
