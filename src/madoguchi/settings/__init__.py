"""Django settings for madoguchi.

Every value that differs between a laptop and production comes from the
environment (names below), with a default for the embedded set-up: SQLite and
local files under ``MADOGUCHI_DATA_DIR`` (``./var``).

Environment:
    MADOGUCHI_DATA_DIR      where the SQLite file, uploads and snapshots live
    DATABASE_URL            e.g. ``postgres://user:pw@127.0.0.1:5432/madoguchi``
    MADOGUCHI_SECRET_KEY    required when MADOGUCHI_DEBUG is off
    MADOGUCHI_DEBUG         "1" for development error pages
    MADOGUCHI_ALLOWED_HOSTS comma separated
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MADOGUCHI_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("MADOGUCHI_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("MADOGUCHI_SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = os.environ.get("MADOGUCHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from local static files (no CDN)
    "madoguchi.catalog",
    "madoguchi.datastore",
    "madoguchi.standards", "madoguchi.quality", "madoguchi.privacy",  # issue #3
    "madoguchi.ckan",
    "madoguchi.reservations",
    "madoguchi.plans",
    "madoguchi.gomi", "madoguchi.shelters",  # citizen services: garbage sorting, shelters (issue #6)
    "madoguchi.events", "madoguchi.counters",  # citizen services: events, counter congestion (issue #6)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "madoguchi.middleware.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'madoguchi.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the ingestion process write while the server reads; a busy
    # timeout turns short lock waits into waits instead of errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # a file (not :memory:) so that the tests' subprocesses can open it; one per
    # test run, so that concurrent runs in one checkout do not share it
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("MADOGUCHI_TEST_DB", str(DATA_DIR / f"test-madoguchi-{os.getpid()}.sqlite3"))
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # site CSS, per-app CSS/JS, vendored htmx and Leaflet
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MADOGUCHI_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: downloads go through views that count them
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/admin/login/"

# Limits, with their unit in the name.
DATASTORE_MAX_LIMIT_ROWS = int(os.environ.get("MADOGUCHI_DATASTORE_MAX_LIMIT_ROWS", "1000"))
DATASTORE_DEFAULT_LIMIT_ROWS = 100
DATASTORE_PREVIEW_ROWS = 20
DATASTORE_QUERY_MEMORY_LIMIT_MB = 512
DATASTORE_QUERY_THREADS = 2
MAX_UPLOAD_BYTES = int(os.environ.get("MADOGUCHI_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
#: Excel's own limit is 16,384 columns; wider files are refused before typing (each column costs time and memory)
DATASTORE_MAX_COLUMNS = int(os.environ.get("MADOGUCHI_DATASTORE_MAX_COLUMNS", "16384"))
XLSX_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("MADOGUCHI_XLSX_MAX_UNCOMPRESSED_BYTES", str(1024 ** 3)))  # zip-bomb guard
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CATALOG_PAGE_SIZE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"madoguchi": {"handlers": ["console"], "level": os.environ.get("MADOGUCHI_LOG_LEVEL", "WARNING")}},
}
