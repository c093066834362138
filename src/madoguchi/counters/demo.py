"""Demo offices and counters: Kawasaki's 7 ward offices (川崎市の7区役所), and optional synthetic history.

The history is *made up* (source ``demo``): a reading every 10 minutes from 8:30 to
17:00 on weekdays, busier at opening, at lunchtime and on Mondays, with a fixed
random seed so that runs are reproducible. It exists so that the "best time to
visit" has something to show before real readings arrive.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Counter, CounterReading, Office

#: (slug, 名称, English, 所在地)
OFFICES = [
    ("kawasaki", "川崎区役所", "Kawasaki Ward Office", "川崎市川崎区東田町8"),
    ("saiwai", "幸区役所", "Saiwai Ward Office", "川崎市幸区戸手本町1-11-1"),
    ("nakahara", "中原区役所", "Nakahara Ward Office", "川崎市中原区小杉町3-245"),
    ("takatsu", "高津区役所", "Takatsu Ward Office", "川崎市高津区下作延2-8-1"),
    ("miyamae", "宮前区役所", "Miyamae Ward Office", "川崎市宮前区宮前平2-20-5"),
    ("tama", "多摩区役所", "Tama Ward Office", "川崎市多摩区登戸1775-1"),
    ("asao", "麻生区役所", "Asao Ward Office", "川崎市麻生区万福寺1-5-1"),
]
#: (slug, 窓口名, 取り扱う手続, 標準処理時間 minutes)
COUNTERS = [
    ("juminkiroku", "区民課 住民記録", "転入・転出・転居の届出、住民票の写し", 8),
    ("koseki", "区民課 戸籍", "出生・婚姻・死亡などの届出、戸籍証明", 10),
    ("hoken", "保険年金課", "国民健康保険・国民年金の手続", 12),
    ("kodomo", "こども家庭課", "児童手当・医療費助成の手続", 10),
]
OPEN, CLOSE, STEP_MIN = dt.time(8, 30), dt.time(17, 0), 10


@dataclass
class SeedResult:
    offices: int
    counters: int
    readings: int


def _busyness(day: dt.date, t: dt.time, rng: random.Random, base: float) -> int:
    minutes = t.hour * 60 + t.minute
    level = base
    level += 6 * max(0.0, 1 - abs(minutes - 9 * 60 - 15) / 60)  # opening rush
    level += 5 * max(0.0, 1 - abs(minutes - 12 * 60 - 30) / 50)  # lunchtime
    level *= {0: 1.6, 1: 1.1, 2: 0.9, 3: 1.0, 4: 1.25}.get(day.weekday(), 1.0)
    if day.day >= 25 or day.day <= 3:  # month end/start: moving season for 住民記録
        level *= 1.2
    return max(0, round(level + rng.gauss(0, 1.2)))


#: 川崎市の区役所の窓口受付時間 (weekdays 8:30–17:00)
OPENS_AT, CLOSES_AT = dt.time(8, 30), dt.time(17, 0)


@transaction.atomic
def seed_demo(*, days: int = 28, today: dt.date | None = None, seed: int = 6) -> SeedResult:
    """Create or update the 7 offices and their 4 counters each; with ``days`` > 0, replace the demo
    readings of the ``days`` weekdays' worth of calendar days before ``today`` by synthetic ones.

    :returns: counts of offices, counters, and readings written
    """
    rng = random.Random(seed)
    counters = []
    for order, (slug, name, name_en, address) in enumerate(OFFICES):
        office, _ = Office.objects.update_or_create(slug=slug, defaults={
            "name": name, "name_en": name_en, "address": address, "order": order,
            "opens_at": OPENS_AT, "closes_at": CLOSES_AT})
        for c_order, (c_slug, c_name, desc, minutes) in enumerate(COUNTERS):
            counter, _ = Counter.objects.update_or_create(office=office, slug=c_slug, defaults={
                "name": c_name, "description": desc, "service_minutes": minutes, "order": c_order})
            counters.append(counter)
    written = 0
    if days > 0:
        today = today or timezone.localdate()
        first = today - dt.timedelta(days=days)
        CounterReading.objects.filter(source=CounterReading.Source.DEMO, counter__in=counters).delete()
        rows = []
        for counter in counters:
            base = 2 + rng.random() * 4 + (3 if counter.slug == "juminkiroku" else 0)
            for offset in range(days):
                day = first + dt.timedelta(days=offset)
                if day.weekday() >= 5:
                    continue
                calling = 0
                moment = dt.datetime.combine(day, OPEN)
                while moment.time() <= CLOSE:
                    waiting = _busyness(day, moment.time(), rng, base)
                    calling += max(0, round(STEP_MIN / counter.service_minutes * 1.5 + rng.gauss(0, 0.7)))
                    rows.append(CounterReading(counter=counter, recorded_at=timezone.make_aware(moment),
                                               waiting=waiting, calling=calling, source=CounterReading.Source.DEMO))
                    moment += dt.timedelta(minutes=STEP_MIN)
        CounterReading.objects.bulk_create(rows, batch_size=2000)
        written = len(rows)
    return SeedResult(offices=len(OFFICES), counters=len(counters), readings=written)
