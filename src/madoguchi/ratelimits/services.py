"""Public API of the rate limits: fixed windows counted in the database, 429 with ``Retry-After``.

* ``hit(group, client) -> Decision`` — count one request and say whether it is allowed;
* ``parse_rate("10/5m") -> (10, 300)`` — a rate setting as (requests, window seconds);
* ``RateLimitMiddleware`` — applies ``rules.RULES`` to every request.

Why not django-ratelimit: it needs memcached or Redis for atomic counters (its own system check
refuses the database and file caches), and madoguchi's embedded default has neither. One atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per limited request works on SQLite and PostgreSQL,
across every server process and machine that shares the database.

Rates: ``settings.RATE_LIMITS`` (group → ``"N/period"``, period ``s``, ``m``, ``h`` with an optional
count, e.g. ``"10/5m"``); ``settings.RATE_LIMITS_ENABLED`` turns all of them off (load tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from madoguchi.errors import error_response

from . import rules
from .models import RateCounter

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/5m"`` → ``(10, 300)``: requests allowed per window, window length in seconds.

    :raises ValueError: for anything else (settings are checked at start-up by ``apps``)
    """
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*", rate or "")
    if not found:
        raise ValueError(f"rate must look like '10/5m', not {rate!r}")
    return int(found[1]), int(found[2] or 1) * _UNITS[found[3]]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    count: int
    retry_after_s: int  # seconds until the window ends


def hit(group: str, client: str, *, now: dt.datetime | None = None) -> Decision:
    """Count one request of ``client`` in ``group``'s current window; allowed while the count ≤ the limit."""
    limit, window_s = parse_rate(settings.RATE_LIMITS[group])
    now = now or timezone.now()
    epoch = int(now.timestamp())
    start = epoch - epoch % window_s
    key = hashlib.blake2b(f"{group}\x00{client}\x00{start}".encode(), digest_size=32).hexdigest()
    q = connection.ops.quote_name
    table, k, w, n = q(RateCounter._meta.db_table), q("key"), q("window_start"), q("count")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {w}, {n}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({k}) DO UPDATE SET {n} = {table}.{n} + 1 RETURNING {n}",
            [key, dt.datetime.fromtimestamp(start, tz=dt.timezone.utc)])
        count = cursor.fetchone()[0]
    return Decision(count <= limit, limit, count, max(1, start + window_s - epoch))


def forget_old(*, older_than_s: int = 86400) -> int:
    """Delete counters of windows that started more than ``older_than_s`` ago; returns how many."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_s)
    return RateCounter.objects.filter(window_start__lt=cutoff).delete()[0]


def too_many_response(request, decision: Decision) -> HttpResponse:
    """429 with ``Retry-After`` (seconds): the API error body under ``/api/``, CKAN's envelope under
    ``/api/3/action/``, a short Japanese page elsewhere."""
    minutes = math.ceil(decision.retry_after_s / 60)
    response = error_response(request, "rate_limited",
                              f"短い時間に多くのリクエストがありました。{minutes} 分ほど待ってからもう一度お試しください "
                              f"(too many requests: retry after {decision.retry_after_s} s)")
    response["Retry-After"] = str(decision.retry_after_s)
    return response


def path_is_rate_limited(path: str, method: str) -> bool:
    """Whether an API path template (``/api/v1/datasets``) and method fall under a rule (for OpenAPI)."""
    method = method.upper()
    return any(method in rule.methods and rule.path.match(path) for rule in rules.RULES)


class RateLimitMiddleware:
    """Apply ``rules.RULES``: a request over its group's rate gets 429 before reaching the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.RATE_LIMITS_ENABLED:
            rule = rules.match(request)
            if rule is not None:
                decision = hit(rule.group, rule.client(request))
                if not decision.allowed:
                    return too_many_response(request, decision)
        return self.get_response(request)
