"""The history of readings: "best time to visit" statistics and the daily open dataset.

* ``best_times`` — mean 待ち人数 by weekday and hour (Asia/Tokyo) over the last weeks;
* ``day_csv`` / ``publish_day`` — one day's readings as a CSV (UTF-8), ingested through
  ``datastore.services.ingest_file`` as resource 「窓口混雑状況 YYYY-MM-DD」 of dataset
  ``counter-congestion``, so the history is queryable with ``/api/v1/resources/<id>/records``
  and downloadable like every other dataset.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from .models import Counter, CounterReading

DATASET_SLUG = "counter-congestion"
DATASET_TITLE = "区役所窓口の混雑状況（履歴）"
#: a weekday-hour slot needs this many readings to be recommended
MIN_SAMPLES = 3
WEEKDAYS = {1: "月", 2: "火", 3: "水", 4: "木", 5: "金", 6: "土", 7: "日"}
CSV_COLUMNS = ["記録日時", "日付", "曜日", "時", "区役所コード", "区役所", "窓口コード", "窓口", "待ち人数", "呼出番号", "入力元"]


@dataclass
class Slot:
    weekday: int  # ISO: 1 = Monday
    hour: int  # 0–23, Asia/Tokyo; the slot is hour:00–hour:59
    mean_waiting: float
    samples: int

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]}曜 {self.hour}時台"


@dataclass
class BestTimes:
    """Mean 待ち人数 per (weekday, hour) with at least one reading, and the recommendation.

    ``best``: the slot with the lowest mean among slots with ≥ ``MIN_SAMPLES`` readings
    (ties: earlier weekday, then earlier hour); ``best_by_weekday``: the same per weekday.
    """

    since: dt.date
    until: dt.date
    slots: dict[tuple[int, int], Slot] = field(default_factory=dict)
    best: Slot | None = None
    best_by_weekday: dict[int, Slot] = field(default_factory=dict)

    @property
    def weekdays(self) -> list[int]:
        return sorted({w for w, _ in self.slots})

    @property
    def hours(self) -> list[int]:
        return sorted({h for _, h in self.slots})

    @property
    def max_mean(self) -> float:
        return max((s.mean_waiting for s in self.slots.values()), default=0.0)

    def as_dict(self) -> dict:
        def slot(s: Slot | None):
            return None if s is None else {"weekday": s.weekday, "weekday_name": WEEKDAYS[s.weekday], "hour": s.hour,
                                           "mean_waiting": round(s.mean_waiting, 1), "samples": s.samples}
        return {"since": self.since, "until": self.until, "best": slot(self.best),
                "best_by_weekday": [slot(s) for _, s in sorted(self.best_by_weekday.items())],
                "slots": [slot(s) for _, s in sorted(self.slots.items())]}


def best_times(counter: Counter, *, weeks: int | None = None, today: dt.date | None = None) -> BestTimes:
    """Mean 待ち人数 by ISO weekday and hour (Asia/Tokyo) over the ``weeks`` (default 8) before ``today``.

    One aggregate query (weekday and hour extracted in the database in the current time zone,
    on SQLite and PostgreSQL alike).
    """
    weeks = weeks or settings.COUNTERS_BEST_TIME_WEEKS
    today = today or timezone.localdate()
    since = today - dt.timedelta(weeks=weeks)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time(0)))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0)))
    rows = (CounterReading.objects.filter(counter=counter, recorded_at__gte=start, recorded_at__lt=end)
            .annotate(wd=ExtractIsoWeekDay("recorded_at"), hr=ExtractHour("recorded_at"))
            .values("wd", "hr").annotate(mean=Avg("waiting"), n=Count("pk")).order_by("wd", "hr"))
    result = BestTimes(since=since, until=today)
    for row in rows:
        result.slots[(row["wd"], row["hr"])] = Slot(row["wd"], row["hr"], float(row["mean"]), row["n"])
    eligible = sorted((s for s in result.slots.values() if s.samples >= MIN_SAMPLES),
                      key=lambda s: (round(s.mean_waiting, 6), s.weekday, s.hour))
    result.best = eligible[0] if eligible else None
    for s in eligible:
        result.best_by_weekday.setdefault(s.weekday, s)
    return result


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0)))


def day_csv(day: dt.date) -> tuple[bytes, int]:
    """The readings of ``day`` (Asia/Tokyo) as CSV bytes (UTF-8, ``CSV_COLUMNS``) and the row count.

    記録日時 is ``YYYY-MM-DD HH:MM:SS`` in Asia/Tokyo (typed ``datetime`` by the datastore);
    呼出番号 is empty when not reported; rows by time, office, counter.
    """
    start, end = _day_bounds(day)
    readings = (CounterReading.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
                .select_related("counter__office")
                .order_by("recorded_at", "counter__office__order", "counter__order", "pk"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for r in readings.iterator(chunk_size=2000):
        local = timezone.localtime(r.recorded_at).replace(microsecond=0)
        writer.writerow([local.strftime("%Y-%m-%d %H:%M:%S"), local.date().isoformat(), WEEKDAYS[local.isoweekday()], local.hour,
                         r.counter.office.slug, r.counter.office.name, r.counter.slug, r.counter.name, r.waiting,
                         "" if r.calling is None else r.calling, r.source])
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def resource_name(day: dt.date) -> str:
    return f"窓口混雑状況 {day.isoformat()}"


def publish_day(day: dt.date, *, organization=None):
    """Publish the readings of ``day`` as a new version of its resource in dataset ``counter-congestion``.

    The dataset (and, if ``organization`` is None, the organization ``ward-offices``) is
    created when missing. Re-publishing a day whose CSV is unchanged does nothing.

    :returns: ``(ResourceVersion, created: bool)``
    :raises ValueError: no readings on ``day``
    :raises IngestError: from the datastore (a bug: the CSV is ours)
    """
    from madoguchi.catalog import services as catalog
    from madoguchi.datastore import services as datastore

    data, count = day_csv(day)
    if count == 0:
        raise ValueError(f"{day.isoformat()} の記録はありません (no readings on that day)")
    organization = organization or catalog.ensure_organization("ward-offices", "区役所（窓口混雑状況）")
    dataset = catalog.ensure_dataset(
        DATASET_SLUG, title=DATASET_TITLE, organization=organization, update_frequency="DAILY",
        description=("区役所・支所の各窓口の待ち人数と呼出番号の記録。窓口の発券機または職員が報告した値を、"
                     "1日ごとに1ファイルで公開します。列: " + "、".join(CSV_COLUMNS) + "。"),
        tags=["窓口混雑", "区役所", "リアルタイム"])
    resource = dataset.resources.filter(name=resource_name(day)).select_related("current_version").first()
    digest = hashlib.sha256(data).hexdigest()
    if resource is not None and resource.current_version and resource.current_version.sha256 == digest:
        return resource.current_version, False
    version = datastore.ingest_file(dataset=dataset, resource_name=resource_name(day), data=data,
                                    file_name=f"counter-congestion-{day.isoformat()}.csv",
                                    description=f"{day.isoformat()} の記録（{count} 件）")
    return version, True
