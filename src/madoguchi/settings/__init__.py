"""Django settings for madoguchi.

Every value that differs between a laptop and production comes from the
environment (names below), with a default for the embedded set-up: SQLite and
local files under ``MADOGUCHI_DATA_DIR`` (``./var``).

Environment:
    MADOGUCHI_DATA_DIR      where the SQLite file, uploads and snapshots live
    DATABASE_URL            e.g. ``postgres://user:pw@127.0.0.1:5432/madoguchi``
    MADOGUCHI_SECRET_KEY    signs sessions and tokens; without it a random key is made once and kept in
                            ``DATA_DIR/secret_key`` (mode 0600) — never a public default
    MADOGUCHI_DEBUG         "1" for development error pages
    MADOGUCHI_ALLOWED_HOSTS comma separated

Production uses ``madoguchi.settings.production`` (``DJANGO_SETTINGS_MODULE``): it refuses to start
without a secret key, an absolute data directory and allowed hosts, and turns on secure cookies and
HSTS (docs/deploy.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/madoguchi
DATA_DIR = Path(os.environ.get("MADOGUCHI_DATA_DIR", Path.cwd() / "var")).resolve()
#: These base settings are in use themselves (not only imported by ``settings.production``, which checks its
#: environment first): only then are directories and the kept secret key made at start-up.
EMBEDDED = os.environ.get("DJANGO_SETTINGS_MODULE", "madoguchi.settings") == "madoguchi.settings"
if EMBEDDED:
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("MADOGUCHI_DEBUG", "0") == "1"


def _kept_secret_key(path: Path) -> str:
    """The key in ``path``, made (50 random characters, mode 0600) on first use."""
    import secrets

    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
    except FileExistsError:  # pragma: no cover - another process made it first
        return path.read_text().strip()


SECRET_KEY = os.environ.get("MADOGUCHI_SECRET_KEY") or (_kept_secret_key(DATA_DIR / "secret_key") if EMBEDDED else "")
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
    "django_tasks", "django_tasks_db",  # Django's Tasks API (backport) with its database backend
    "madoguchi.jobs",  # worker heartbeats and leases, retried tasks, the mail task (issue #12)
    "madoguchi.catalog",
    "madoguchi.datastore",
    "madoguchi.standards", "madoguchi.quality", "madoguchi.privacy",  # issue #3
    "madoguchi.ckan",
    "madoguchi.ratelimits",
    "madoguchi.reservations",
    "madoguchi.plans",
    "madoguchi.gomi", "madoguchi.shelters",  # citizen services: garbage sorting, shelters (issue #6)
    "madoguchi.events", "madoguchi.counters",  # citizen services: events, counter congestion (issue #6)
    "madoguchi.server",  # `madoguchi serve`: the production ASGI server (issue #12)
    "madoguchi.faq",  # inquiry assistant: Q&A retrieval, hand-off to staff, analytics (issue #15)
    "madoguchi.consultations", "madoguchi.reports",  # public comment; citizen reports over Open311 (issue #16)
    "madoguchi.emergency", "madoguchi.notices",  # JMA alerts, emergency mode, signage; subscriptions (issue #17)
    "madoguchi.easy",  # plain Japanese (やさしい日本語) pages with ruby (issue #18)
    "madoguchi.procedures",  # procedure guide (手続きガイド) and life-event guide (issue #14)
    "madoguchi.eforms",  # forms staff build without code (電子申請フォーム, issue #14)
    "madoguchi.applications",  # applications (申請): citizen flow, staff queue (issue #14)
    "madoguchi.bulky",  # bulky-waste collection requests (粗大ごみ収集申込, issue #14)
]
#: Tests only: apps whose migrated rows are not snapshotted for serialized rollback (browser tests). The procedure
#: guide's 13k seeded rows would cost ~12 s per browser test to restore; its tests call install_seed() instead.
TEST_NON_SERIALIZED_APPS = ["madoguchi.procedures"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "madoguchi.middleware.HeadAsGetMiddleware",
    "madoguchi.middleware.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "madoguchi.i18n.StaffLanguageMiddleware",  # staff pages (no /en/ address) follow the language cookie (#18)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "madoguchi.ratelimits.services.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
CSRF_FAILURE_VIEW = "madoguchi.errorpages.csrf_failure"  # Japanese page in the site's layout (issue #18)
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
                "madoguchi.errorpages.back_link",  # the error pages' 「前のページに戻る」
                "madoguchi.emergency.context.emergency",  # the emergency banner on every page (issue #17)
                "madoguchi.i18n.language_links",  # the language switch and hreflang links (issue #18)
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

# Background work (ingestion, mails, draws, feed fetches): Django's Tasks API,
# database backend by default; `madoguchi worker` runs the queue.
TASKS = {"default": {"BACKEND": os.environ.get("MADOGUCHI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
#: a RUNNING task whose worker has not written its heartbeat for this long is re-enqueued (or failed after its
#: last attempt); workers beat every third of it
JOBS_LEASE_S = float(os.environ.get("MADOGUCHI_JOBS_LEASE_S", "30"))
#: neighbouring cities' event feeds: seconds to wait for the server (connect and each read), largest body in bytes
EVENTS_FEED_TIMEOUT_S = float(os.environ.get("MADOGUCHI_EVENTS_FEED_TIMEOUT_S", "10"))
EVENTS_FEED_MAX_BYTES = int(os.environ.get("MADOGUCHI_EVENTS_FEED_MAX_BYTES", str(5 * 1024 * 1024)))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # English: locale/en/LC_MESSAGES/django.po
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # site CSS, per-app CSS/JS, vendored htmx and Leaflet
STATIC_ROOT = DATA_DIR / "static"
if EMBEDDED:
    STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MADOGUCHI_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: downloads go through views that count them


def datastore_storage(environ) -> dict:
    """The ``STORAGES["datastore"]`` entry chosen by ``MADOGUCHI_STORAGE`` (``local`` or ``s3``).

    Keys are the paths stored in the database (``datastore/v/<resource>/<uuid>/table.parquet``,
    ``datastore/uploads/<job>.upload``): files under ``MEDIA_ROOT`` (local, today's layout) or
    objects in ``MADOGUCHI_S3_BUCKET``. S3 credentials come from the standard ``AWS_*`` env vars.
    """
    kind = environ.get("MADOGUCHI_STORAGE", "local")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}}
    if kind != "s3" or not environ.get("MADOGUCHI_S3_BUCKET"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("MADOGUCHI_STORAGE must be 'local' or 's3' (s3 needs MADOGUCHI_S3_BUCKET)")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": environ["MADOGUCHI_S3_BUCKET"],
        "endpoint_url": environ.get("MADOGUCHI_S3_ENDPOINT_URL") or None,  # e.g. MinIO, Ceph, moto
        "region_name": environ.get("MADOGUCHI_S3_REGION") or None,
        "file_overwrite": True,  # keys are unique (uuid, job id); no existence check per write
        "default_acl": None, "querystring_auth": True,  # objects stay private
        "max_memory_size": 8 * 1024 * 1024,  # reads spool to disk above 8 MiB
    }}


# File storages; "datastore" holds snapshots, originals and staff uploads (see datastore_storage); "default"
# (published lottery files …) lives in the same place, so every app server and worker sees the same files.
STORAGES = {
    "default": datastore_storage(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "datastore": datastore_storage(os.environ),
}
#: local read-through cache of Parquet files when the datastore storage is not local disk
DATASTORE_CACHE_DIR = Path(os.environ.get("MADOGUCHI_CACHE_DIR", DATA_DIR / "cache")).resolve()
DATASTORE_CACHE_MAX_MB = int(os.environ.get("MADOGUCHI_CACHE_MAX_MB", "10240"))
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
XLSX_MAX_COMPRESSION_RATIO = 200  # a member over 10 MB that compresses better than this is refused (zip bomb)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CATALOG_PAGE_SIZE = 20
#: Title and description of the DCAT catalog (``/catalog.ttl``), Japanese
CATALOG_TITLE = os.environ.get("MADOGUCHI_CATALOG_TITLE", "窓口 madoguchi オープンデータ")
CATALOG_DESCRIPTION = os.environ.get(
    "MADOGUCHI_CATALOG_DESCRIPTION", "市のオープンデータのカタログ。データセットの説明、ファイル、表データのダウンロード。")

#: How lottery results and booking notices reach citizens (reservations/notices.py registers channels)
RESERVATIONS_NOTICE_CHANNELS = ("mail",)

# Counter congestion (counters/services.py explains the estimate)
COUNTERS_RATE_WINDOW_MIN = 60   # minutes of readings the call rate is measured over
COUNTERS_STALE_MIN = 120        # minutes after which a reading gives no estimate
COUNTERS_BEST_TIME_WEEKS = 8    # weeks of history behind "best time to visit"

# Shelter map tiles (Leaflet URL template; empty turns the tile layer off) and their attribution HTML
SHELTER_TILE_URL = os.environ.get("MADOGUCHI_SHELTER_TILE_URL", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png")
SHELTER_TILE_ATTRIBUTION = os.environ.get(
    "MADOGUCHI_SHELTER_TILE_ATTRIBUTION", '<a href="https://maps.gsi.go.jp/development/ichiran.html">国土地理院</a>')

# Rate limits (madoguchi.ratelimits; endpoints in ratelimits/rules.py): group → "requests/window",
# window in s, m, h or d (e.g. "10/5m" = 10 requests per 5 minutes per client). Over it: 429 + Retry-After.
RATE_LIMITS_ENABLED = os.environ.get("MADOGUCHI_RATE_LIMITS", "on") != "off"  # "off" for load tests only
RATE_LIMITS = {
    "login": "10/5m",          # POST of a login form, per client address
    "register": "5/h",         # citizen registration, per address
    "entry": "60/h",           # lottery entries and bookings, per citizen
    "counter_push": "120/m",   # counter readings, per office token
    "search": "300/m",         # catalog search (pages, /api/v1/datasets, CKAN package_search), FAQ questions, per address
    "inquiry": "10/h",         # questions handed off to staff from /faq/, per address
    "opinion": "10/h",         # public comment opinions from /consultations/<slug>/opinion/, per address
    "report": "10/h",          # citizen reports (the /reports/new/ form and Open311 POST), per address
    "subscribe": "10/h",       # mail and Web Push subscriptions to notices, per address
    "apply": "30/h",           # online applications: starts (mail a code), submissions, corrections, per address
}
#: Proxies in front of the app servers that append to X-Forwarded-For (0: use the connection's address)
RATE_LIMIT_TRUSTED_PROXIES = int(os.environ.get("MADOGUCHI_TRUSTED_PROXIES", "0"))

# Production server (`madoguchi serve`, uvicorn on madoguchi.asgi) and live streams (issue #12).
#: worker processes; 0 = one per core
SERVE_WORKERS = int(os.environ.get("MADOGUCHI_SERVE_WORKERS", "0")) or os.cpu_count() or 1
#: host:port to listen on
SERVE_BIND = os.environ.get("MADOGUCHI_SERVE_BIND", "127.0.0.1:8000")
#: threads for sync views per worker process (long-lived; more requests wait in the event loop)
SERVE_THREADS = int(os.environ.get("MADOGUCHI_SERVE_THREADS", "4"))
#: seconds a worker may go silent before it is restarted; also the graceful-shutdown wait
SERVE_TIMEOUT_S = int(os.environ.get("MADOGUCHI_SERVE_TIMEOUT_S", "60"))
COUNTERS_STREAM_POLL_MS = 200  # /counters/stream: newest-reading poll, once per process under ASGI
COUNTERS_STREAM_KEEPALIVE_S = 5  # comment sent after this long without an event
COUNTERS_STREAM_MAX_S = 300  # a stream ends after this long; browsers reconnect with Last-Event-ID

# Citizen reports (issue #16): the city's bounding box "south,west,north,east" (WGS84; reports outside are
# refused; default 川崎市) and the Open311 jurisdiction_id this server answers to ("" = any or none).
REPORTS_CITY_BBOX = tuple(float(v) for v in os.environ.get(
    "MADOGUCHI_REPORTS_CITY_BBOX", "35.47,139.46,35.64,139.80").split(","))
REPORTS_OPEN311_JURISDICTION_ID = os.environ.get("MADOGUCHI_OPEN311_JURISDICTION_ID", "")

# Emergency mode (issue #17): the city's JMA area codes → the 区 they cover (default 川崎市: 気象警報・土砂災害
# 1413000, 地震 細分区域 360 神奈川県東部, 市町村 1413100–1413700, 津波予報区 312 東京湾内湾); the JMA Atom feeds and
# the offices whose entries are read; per-request limits; the notices topic of disaster notices; links shown in
# emergency mode; how often signage reloads (seconds; faster in emergency mode).
_KAWASAKI_WARDS = ["川崎区", "幸区", "中原区", "高津区", "多摩区", "宮前区", "麻生区"]
EMERGENCY_JMA_AREAS = {"1413000": _KAWASAKI_WARDS, "360": _KAWASAKI_WARDS, "312": ["川崎区"],
                       **{f"14{131 + i}00": [ward] for i, ward in enumerate(_KAWASAKI_WARDS)}}
EMERGENCY_JMA_FEED_URLS = os.environ.get(
    "MADOGUCHI_EMERGENCY_JMA_FEED_URLS", "https://www.data.jma.go.jp/developer/xml/feed/extra.xml "
    "https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml").split()
EMERGENCY_JMA_FEED_OFFICES = os.environ.get("MADOGUCHI_EMERGENCY_JMA_FEED_OFFICES", "横浜地方気象台 気象庁").split()
EMERGENCY_JMA_FETCH_TIMEOUT_S = 10.0
EMERGENCY_JMA_MAX_BYTES = 2 * 1024 * 1024
EMERGENCY_NOTICE_TOPIC = "bousai"
EMERGENCY_OFFICIAL_LINKS = [
    ("気象庁 防災情報（キキクル・警報）", "https://www.jma.go.jp/bosai/"),
    ("川崎市 防災ポータル", "https://www.city.kawasaki.jp/bousai/"),
    ("国土交通省 ハザードマップポータル", "https://disaportal.gsi.go.jp/"),
]
EMERGENCY_SIGNAGE_REFRESH_S = 60
EMERGENCY_SIGNAGE_REFRESH_EMERGENCY_S = 30

# Notices (issue #17). Links in messages start with MADOGUCHI_SITE_URL; mails go from
# MADOGUCHI_NOTICES_FROM_EMAIL through Django's mail settings (MADOGUCHI_EMAIL_HOST …, below) with RFC 8058
# one-click unsubscribe; deliveries go in tasks of NOTICES_BATCH_SIZE (the LINE multicast maximum), "sent" is
# written every NOTICES_DB_FLUSH_EVERY mails (a per-notice journal file holds each accepted one at once).
# LINE Messaging API: channel secret and access token; Web Push: VAPID keys (`madoguchi notices vapid-keys`).
NOTICES_SITE_URL = os.environ.get("MADOGUCHI_SITE_URL", "http://127.0.0.1:8000")
NOTICES_FROM_EMAIL = os.environ.get("MADOGUCHI_NOTICES_FROM_EMAIL", "noreply@localhost")
NOTICES_UNSUBSCRIBE_MAILTO = os.environ.get("MADOGUCHI_NOTICES_UNSUBSCRIBE_MAILTO", "unsubscribe@localhost")
NOTICES_BATCH_SIZE = 500
NOTICES_DB_FLUSH_EVERY = 50
NOTICES_VERIFY_MAX_AGE_S = 48 * 3600
NOTICES_LINE_CHANNEL_SECRET = os.environ.get("MADOGUCHI_LINE_CHANNEL_SECRET", "")
NOTICES_LINE_CHANNEL_ACCESS_TOKEN = os.environ.get("MADOGUCHI_LINE_CHANNEL_ACCESS_TOKEN", "")
NOTICES_LINE_API_HOST = os.environ.get("MADOGUCHI_LINE_API_HOST", "https://api.line.me")
NOTICES_LINE_MAX_REQUESTS_PER_S = float(os.environ.get("MADOGUCHI_LINE_MAX_REQUESTS_PER_S", "100"))  # per worker
NOTICES_LINE_DEFAULT_TOPIC = "bousai"
NOTICES_VAPID_PRIVATE_KEY = os.environ.get("MADOGUCHI_VAPID_PRIVATE_KEY", "")
NOTICES_VAPID_PUBLIC_KEY = os.environ.get("MADOGUCHI_VAPID_PUBLIC_KEY", "")
NOTICES_VAPID_SUBJECT = os.environ.get("MADOGUCHI_VAPID_SUBJECT", "mailto:webmaster@localhost")
# Outgoing mail (every mail of the site goes through jobs.services.send_mail_later or the notices' batches).
EMAIL_HOST = os.environ.get("MADOGUCHI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MADOGUCHI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MADOGUCHI_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MADOGUCHI_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("MADOGUCHI_EMAIL_USE_TLS", "0") == "1"

# Inquiry assistant (issue #15). Questions are logged masked of personal data and deleted after
# FAQ_LOG_RETENTION_DAYS (their weekly counts stay); answered inquiries (which keep the e-mail address the
# answer went to) after FAQ_INQUIRY_RETENTION_DAYS. `madoguchi faq purge` deletes them (daily, from cron).
FAQ_LOG_RETENTION_DAYS = int(os.environ.get("MADOGUCHI_FAQ_LOG_RETENTION_DAYS", "180"))
FAQ_INQUIRY_RETENTION_DAYS = int(os.environ.get("MADOGUCHI_FAQ_INQUIRY_RETENTION_DAYS", "365"))
#: combined retrieval score (0–1) an answer needs; unset: the engine's default chosen on the evaluation set
FAQ_ANSWER_THRESHOLD = float(os.environ["MADOGUCHI_FAQ_ANSWER_THRESHOLD"]) if os.environ.get(
    "MADOGUCHI_FAQ_ANSWER_THRESHOLD") else None

AUTH_PASSWORD_VALIDATORS = [  # citizen registration is public: no "12345678"
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Online applications (issue #14): a draft (一時保存) and its resume link live this many days after the last save
APPLICATIONS_DRAFT_TTL_DAYS = 30

# Errors of requests (500s, with traceback) and of madoguchi's own code go to the console (stderr),
# where systemd's journal or the container runtime keeps them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "madoguchi": {"handlers": ["console"], "level": os.environ.get("MADOGUCHI_LOG_LEVEL", "WARNING")},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
