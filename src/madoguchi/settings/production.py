"""Production settings: ``DJANGO_SETTINGS_MODULE=madoguchi.settings.production`` (docs/deploy.md).

Everything of the base settings, plus what a public server needs; refuses to start (``ImproperlyConfigured``)
when a value it cannot guess is missing:

    MADOGUCHI_SECRET_KEY     required, at least 50 characters (shared by every app server)
    MADOGUCHI_DATA_DIR       required, absolute (so a server started in another directory never makes
                             a new empty database)
    MADOGUCHI_ALLOWED_HOSTS  required (e.g. ``opendata.city.example.jp``)
    MADOGUCHI_HTTPS          "1" (default) behind https: secure cookies, HSTS, redirect to https, and
                             ``X-Forwarded-Proto`` from the proxy trusted; "0" only for a closed network
    MADOGUCHI_HSTS_SECONDS   HSTS max-age (default 31536000 = one year)
    MADOGUCHI_HSTS_PRELOAD   "1" (default) adds ``preload`` to the HSTS header; "0" leaves it out
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} を設定してください ({name} is required in production; docs/deploy.md)")
    return value


_secret = _required("MADOGUCHI_SECRET_KEY")
if len(_secret) < 50:
    raise ImproperlyConfigured("MADOGUCHI_SECRET_KEY は 50 文字以上にしてください (at least 50 characters)")
if not Path(_required("MADOGUCHI_DATA_DIR")).is_absolute():
    raise ImproperlyConfigured("MADOGUCHI_DATA_DIR は絶対パスで指定してください (must be an absolute path)")
_required("MADOGUCHI_ALLOWED_HOSTS")

from . import *  # noqa: E402,F401,F403  (the base settings, read after the checks above)
from . import DATA_DIR, STATIC_ROOT  # noqa: E402

DATA_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)

DEBUG = False
SECRET_KEY = _secret

HTTPS = os.environ.get("MADOGUCHI_HTTPS", "1") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(os.environ.get("MADOGUCHI_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# "preload" in the header only allows the domain to be submitted to the browsers' list (a separate, manual step)
SECURE_HSTS_PRELOAD = HTTPS and os.environ.get("MADOGUCHI_HSTS_PRELOAD", "1") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
