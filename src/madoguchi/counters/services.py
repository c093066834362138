"""Public API of the counters app (views, API, SSE stream and commands call only these).

* ``issue_token`` / ``office_for_token`` — per-office push tokens (only a SHA-256 hash is stored)
* ``record_readings`` — store readings pushed by an office or entered by staff
* ``current_states`` / ``state_of`` — the latest reading of each counter with the estimated wait
* ``estimate_wait`` — the estimated-wait formula (below)
* ``best_times`` — average waiting by weekday and hour from the history (``history.py``)
* ``publish_day`` — one day's readings as a CSV, ingested into dataset ``counter-congestion`` (``history.py``)
* ``seed_demo`` — Kawasaki's 7 ward offices with counters and optional synthetic history (``demo.py``)

Estimated wait (推定待ち時間, minutes), computed for the latest reading R of a counter:

1. Window: readings of the same counter from ``settings.COUNTERS_RATE_WINDOW_MIN`` (60) minutes before R
   up to R, not before 00:00 of R's day (Asia/Tokyo; ticket numbers restart daily).
2. Let R0 be the earliest reading in the window with a 呼出番号. ``served`` = R.呼出番号 −
   R0.呼出番号 (people called in the window), ``elapsed`` = minutes from R0 to R.
3. If ``served ≥ 1`` and ``elapsed ≥ MIN_ELAPSED_MIN`` (5): service rate = served / elapsed
   (people per minute), and wait = ⌈待ち人数 / rate⌉ (basis ``recent_rate``).
4. Otherwise wait = 待ち人数 × the counter's 標準処理時間 (``service_minutes``; basis ``standard_time``).
5. 待ち人数 0 → 0 minutes.
6. No estimate (``null``) when R is stale: from an earlier day, or older than ``settings.COUNTERS_STALE_MIN`` (120) minutes.

This is Little's law (wait = queue length / throughput) with the throughput measured from
the called numbers, the way the cities' 窓口混雑 pages estimate "あと何分".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from madoguchi.errors import ServiceError

from .history import best_times, day_csv, publish_day  # noqa: F401
from .models import Counter, CounterReading, Office

#: shortest span (minutes) over which a service rate is trusted
MIN_ELAPSED_MIN = 5
MAX_WAITING = 10_000
MAX_CALLING = 10_000_000
MAX_READINGS_PER_PUSH = 200


class CounterError(ServiceError):
    """A counters request cannot be carried out; nothing was written.

    :param code: ``invalid_parameter`` (400), ``unauthorized`` (401), ``not_found`` (404)
    :param param: the field at fault, e.g. ``readings[1].waiting``
    """


# --- tokens -------------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(office: Office) -> str:
    """Create (or replace) the push token of ``office`` and return it; only its SHA-256 is stored,
    so the returned text is the only copy. The previous token stops working."""
    token = "mdgc_" + secrets.token_urlsafe(32)
    Office.objects.filter(pk=office.pk).update(token_hash=hash_token(token), token_created=timezone.now())
    office.refresh_from_db()
    return token


def office_for_token(token: str | None) -> Office | None:
    """The office whose push token is ``token``, or ``None``."""
    if not token:
        return None
    digest = hash_token(token.strip())
    office = Office.objects.filter(token_hash=digest).first()
    if office is None or not secrets.compare_digest(office.token_hash, digest):
        return None
    return office


def office_from_authorization(header: str | None) -> Office:
    """The office of an ``Authorization: Bearer <token>`` header.

    :raises CounterError: ``unauthorized`` when the header is missing, not Bearer, or the token unknown
    """
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CounterError("unauthorized", "Authorization: Bearer <トークン> ヘッダーが必要です")
    office = office_for_token(token)
    if office is None:
        raise CounterError("unauthorized", "トークンが正しくありません（再発行された可能性があります）")
    return office


# --- readings -----------------------------------------------------------------------------------

def _int(value, name: str, *, limit: int, allow_none: bool = False) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise CounterError("invalid_parameter", "値がありません", name)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise CounterError("invalid_parameter", "整数で指定してください", name)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CounterError("invalid_parameter", f"整数で指定してください（「{value}」）", name) from None
    if not 0 <= number <= limit:
        raise CounterError("invalid_parameter", f"0 以上 {limit:,} 以下で指定してください", name)
    return number


@transaction.atomic
def record_readings(office: Office, items: list[dict], *, source: str = CounterReading.Source.API,
                    at: dt.datetime | None = None) -> list[CounterReading]:
    """Store readings of counters of ``office``, all or none.

    :param items: ``[{"counter": slug, "waiting": int ≥ 0, "calling": int ≥ 0 | None}]`` (1–200 items)
    :param at: time of the readings (default now)
    :returns: the stored readings, in ``items`` order
    :raises CounterError: ``invalid_parameter`` naming ``readings[i].<field>`` (unknown counter of this
        office, missing or negative count, too many items); nothing is stored then
    """
    if not items:
        raise CounterError("invalid_parameter", "記録がありません", "readings")
    if len(items) > MAX_READINGS_PER_PUSH:
        raise CounterError("invalid_parameter", f"1 回に {MAX_READINGS_PER_PUSH} 件までです", "readings")
    counters = {c.slug: c for c in office.counters.all()}
    at = at or timezone.now()
    rows = []
    for i, item in enumerate(items):
        where = f"readings[{i}]"
        if not isinstance(item, dict):
            raise CounterError("invalid_parameter", "オブジェクトで指定してください", where)
        counter = counters.get(str(item.get("counter", "")))
        if counter is None:
            raise CounterError("invalid_parameter",
                               f"{office.name}に窓口「{item.get('counter')}」はありません（{', '.join(counters)}）",
                               f"{where}.counter")
        rows.append(CounterReading(counter=counter, recorded_at=at, source=source,
                                   waiting=_int(item.get("waiting"), f"{where}.waiting", limit=MAX_WAITING),
                                   calling=_int(item.get("calling"), f"{where}.calling", limit=MAX_CALLING,
                                                allow_none=True)))
    for row in rows:  # one by one: ids must be known (SSE clients follow them), on every database
        row.save()
    return rows


# --- current state and the estimate -------------------------------------------------------------

@dataclass
class CounterState:
    """The current state of one counter (``reading`` None: nothing reported yet)."""

    counter: Counter
    reading: CounterReading | None
    estimated_wait_min: int | None
    estimate_basis: str | None
    stale: bool = False
    open: bool = True  # the office takes visitors now (``is_open``)

    @property
    def opening_hours(self) -> str:
        return opening_hours(self.counter.office)

    @property
    def reading_local(self):
        return timezone.localtime(self.reading.recorded_at) if self.reading else None

    def as_dict(self) -> dict:
        """JSON form: ids, names, 待ち人数, 呼出番号, estimate (minutes) and its basis, time (ISO, +09:00)."""
        r, c = self.reading, self.counter
        return {
            "counter_id": c.pk, "office": c.office.slug, "office_name": c.office.name, "counter": c.slug,
            "counter_name": c.name, "reading_id": r.pk if r else None,
            "waiting": r.waiting if r else None, "calling": r.calling if r else None,
            "estimated_wait_min": self.estimated_wait_min, "estimate_basis": self.estimate_basis,
            "recorded_at": timezone.localtime(r.recorded_at).isoformat() if r else None, "stale": self.stale,
            "open": self.open, "opening_hours": opening_hours(c.office),
        }


def estimate_wait(latest: CounterReading, window: list[CounterReading], service_minutes: int
                  ) -> tuple[int, str]:
    """``(minutes, basis)`` for ``latest`` given the readings of its window (see the module docstring).

    :param window: readings of the same counter in the rate window, any order (may include ``latest``)
    :returns: basis ``recent_rate`` or ``standard_time``
    """
    if latest.waiting == 0:
        return 0, "recent_rate" if _rate(latest, window) else "standard_time"
    rate = _rate(latest, window)
    if rate:
        return math.ceil(latest.waiting / rate), "recent_rate"
    return latest.waiting * service_minutes, "standard_time"


def _rate(latest: CounterReading, window: list[CounterReading]) -> float | None:
    if latest.calling is None:
        return None
    numbered = [r for r in window if r.calling is not None and r.recorded_at <= latest.recorded_at]
    if not numbered:
        return None
    first = min(numbered, key=lambda r: (r.recorded_at, r.pk or 0))
    served = latest.calling - first.calling
    elapsed = (latest.recorded_at - first.recorded_at).total_seconds() / 60
    if served < 1 or elapsed < MIN_ELAPSED_MIN:
        return None
    return served / elapsed


def _window_start(at: dt.datetime) -> dt.datetime:
    window_min = settings.COUNTERS_RATE_WINDOW_MIN
    local = timezone.localtime(at)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(at - dt.timedelta(minutes=window_min), midnight)


def current_states(counters=None) -> list[CounterState]:
    """The state of every active counter (or of ``counters``), in office and counter order. Three queries."""
    qs = Counter.objects.filter(active=True) if counters is None else counters
    latest_id = CounterReading.objects.filter(counter=OuterRef("pk")).order_by("-recorded_at", "-pk").values("pk")[:1]
    counters = list(qs.select_related("office").annotate(latest_id=Subquery(latest_id)))
    latest = CounterReading.objects.in_bulk([c.latest_id for c in counters if c.latest_id])
    windows: dict[int, list[CounterReading]] = {}
    if latest:
        since = min(_window_start(r.recorded_at) for r in latest.values())
        for r in CounterReading.objects.filter(counter__in=[c.pk for c in counters if c.latest_id],
                                               recorded_at__gte=since):
            windows.setdefault(r.counter_id, []).append(r)
    return [_state(c, latest.get(c.latest_id), windows.get(c.pk, [])) for c in counters]


def _state(counter: Counter, reading: CounterReading | None, readings: list[CounterReading]) -> CounterState:
    open_now = is_open(counter.office)
    if reading is None:
        return CounterState(counter, None, None, None, open=open_now)
    if is_stale(reading) or not open_now:  # outside opening hours nobody waits, whatever was reported last
        return CounterState(counter, reading, None, None, stale=is_stale(reading), open=open_now)
    start = _window_start(reading.recorded_at)
    window = [r for r in readings if start <= r.recorded_at <= reading.recorded_at]
    minutes, basis = estimate_wait(reading, window, counter.service_minutes)
    return CounterState(counter, reading, minutes, basis)


#: 年末年始: Japanese municipal offices are closed from 29 December to 3 January (行政機関の休日に関する法律 第1条)
YEAR_END_CLOSED = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


def is_open(office, now: dt.datetime | None = None) -> bool:
    """Whether ``office`` takes visitors at ``now`` (Asia/Tokyo): weekdays between its ``opens_at`` and
    ``closes_at``, except national holidays (``jpholiday``) and 12/29–1/3 (the law on the closing days of
    administrative bodies, 行政機関の休日に関する法律, which municipalities follow by their own ordinance)."""
    import jpholiday

    if office.opens_at is None or office.closes_at is None:  # hours not entered: never shown as closed
        return True
    local = timezone.localtime(now or timezone.now())
    day = local.date()
    if day.weekday() >= 5 or jpholiday.is_holiday(day) or (day.month, day.day) in YEAR_END_CLOSED:
        return False
    return office.opens_at <= local.time() < office.closes_at


def opening_hours(office) -> str:
    """The opening hours as people read them, in the active language: 「平日 8:30〜17:00（土日・祝日・年末年始を除く）」;
    ``""`` if not entered."""
    if office.opens_at is None or office.closes_at is None:
        return ""
    return gettext("平日 %(opens)s〜%(closes)s（土日・祝日・年末年始を除く）") % {
        "opens": f"{office.opens_at.hour}:{office.opens_at.minute:02d}",
        "closes": f"{office.closes_at.hour}:{office.closes_at.minute:02d}"}


def is_stale(reading: CounterReading, now: dt.datetime | None = None) -> bool:
    """A reading is stale (no estimate is given) when it is from an earlier day (Asia/Tokyo) or older
    than ``settings.COUNTERS_STALE_MIN`` (120) minutes: the counter has not reported since."""
    now = now or timezone.now()
    stale_min = settings.COUNTERS_STALE_MIN
    return (timezone.localdate(reading.recorded_at) != timezone.localdate(now)
            or now - reading.recorded_at > dt.timedelta(minutes=stale_min))


def state_of(reading: CounterReading) -> CounterState:
    """The state a reading gives its counter (used by the SSE stream for each new reading)."""
    counter = reading.counter
    window = list(CounterReading.objects.filter(counter=counter, recorded_at__gte=_window_start(reading.recorded_at),
                                                recorded_at__lte=reading.recorded_at))
    return _state(counter, reading, window)


def latest_reading_id() -> int:
    """The id of the newest reading (0 if none): what the SSE stream polls."""
    return CounterReading.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def seed_demo(**kw):
    """See ``demo.seed_demo``."""
    from .demo import seed_demo as seed

    return seed(**kw)
