"""Sample data so the pages show something: ``madoguchi reservations seed-demo``.

Five sample facilities of the four types in wards of a designated city
(川崎市の区名), their slots from today to the end of the lottery's month, and
one lottery period open now. Names end in （サンプル）: not real facilities.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import schedule
from ..models import FacilityType, HolidayRule, LotteryPeriod, Member
from .facilities import ensure_facility, generate_slots
from .lottery import create_period
from .members import create_group, register_member

TWO_HOURS = ["07:00-09:00", "09:00-11:00", "11:00-13:00", "13:00-15:00", "15:00-17:00"]
TENNIS = ["09:00-11:00", "11:00-13:00", "13:00-15:00", "15:00-17:00", "17:00-19:00", "19:00-21:00"]
THREE_PARTS = ["09:00-12:00", "13:00-17:00", "18:00-21:00"]
HALL = ["09:30-12:00", "13:00-16:30", "17:30-21:30"]

FACILITIES = [
    dict(slug="saiwai-riverside-baseball", name="幸区 多摩川河川敷野球場（サンプル）",
         facility_type=FacilityType.OUTDOOR_SPORTS, ward="幸区", address="川崎市幸区（サンプル）",
         latitude=35.551, longitude=139.680, capacity=0, accessibility=["accessible_toilet"],
         opening_time=dt.time(7), closing_time=dt.time(17), closed_weekdays=[], holiday_rule=HolidayRule.OPEN,
         description="軟式野球用の河川敷グラウンドです。雨天時は利用できないことがあります。",
         units=[dict(code="a", name="A面", capacity=0, slot_times=TWO_HOURS, fee_weekday_yen=1800,
                     fee_holiday_yen=2400),
                dict(code="b", name="B面", capacity=0, slot_times=TWO_HOURS, fee_weekday_yen=1800,
                     fee_holiday_yen=2400)]),
    dict(slug="nakahara-tennis", name="中原区 市民テニスコート（サンプル）",
         facility_type=FacilityType.OUTDOOR_SPORTS, ward="中原区", address="川崎市中原区（サンプル）",
         latitude=35.585, longitude=139.650, capacity=0, accessibility=["step_free", "accessible_toilet",
                                                                         "accessible_parking"],
         opening_time=dt.time(9), closing_time=dt.time(21), closed_weekdays=[], holiday_rule=HolidayRule.OPEN,
         description="砂入り人工芝のコート 4 面。夜間照明があります。",
         units=[dict(code=f"court-{n}", name=f"第{n}コート", capacity=8, slot_times=TENNIS, fee_weekday_yen=1000,
                     fee_holiday_yen=1300) for n in range(1, 5)]),
    dict(slug="takatsu-sports-center", name="高津区 スポーツセンター（サンプル）",
         facility_type=FacilityType.INDOOR_SPORTS, ward="高津区", address="川崎市高津区（サンプル）",
         latitude=35.603, longitude=139.617, capacity=600,
         accessibility=["step_free", "accessible_toilet", "elevator", "accessible_parking", "ostomate"],
         opening_time=dt.time(9), closing_time=dt.time(21), closed_weekdays=[0],
         holiday_rule=HolidayRule.NEXT_WEEKDAY, description="休館日: 月曜日（祝日の場合は翌平日）。",
         units=[dict(code="main-arena", name="大体育室", capacity=400, slot_times=THREE_PARTS,
                     fee_weekday_yen=6300, fee_holiday_yen=7600),
                dict(code="small-arena", name="小体育室", capacity=120, slot_times=THREE_PARTS,
                     fee_weekday_yen=2100, fee_holiday_yen=2500),
                dict(code="budo", name="武道室", capacity=80, slot_times=THREE_PARTS, fee_weekday_yen=1500,
                     fee_holiday_yen=1800)]),
    dict(slug="tama-civic-hall", name="多摩区 市民館（サンプル）", facility_type=FacilityType.CIVIC_HALL,
         ward="多摩区", address="川崎市多摩区（サンプル）", latitude=35.616, longitude=139.562, capacity=950,
         accessibility=["step_free", "accessible_toilet", "elevator", "hearing_loop", "assistance_dogs"],
         opening_time=dt.time(9, 30), closing_time=dt.time(21, 30), closed_weekdays=[],
         holiday_rule=HolidayRule.OPEN, description="大ホール（客席 900 席）と会議室があります。",
         units=[dict(code="hall", name="大ホール", capacity=900, slot_times=HALL, fee_weekday_yen=24000,
                     fee_holiday_yen=29000),
                dict(code="room-1", name="第1会議室", capacity=30, slot_times=HALL, fee_weekday_yen=1200,
                     fee_holiday_yen=1200),
                dict(code="room-2", name="第2会議室", capacity=24, slot_times=HALL, fee_weekday_yen=1000,
                     fee_holiday_yen=1000)]),
    dict(slug="miyamae-community-room", name="宮前区 こども文化センター 集会室（サンプル）",
         facility_type=FacilityType.COMMUNITY_HALL, ward="宮前区", address="川崎市宮前区（サンプル）",
         latitude=35.590, longitude=139.580, capacity=60, accessibility=["step_free", "accessible_toilet"],
         opening_time=dt.time(9), closing_time=dt.time(21), closed_weekdays=[6], holiday_rule=HolidayRule.CLOSED,
         description="休館日: 日曜日・祝日・年末年始。",
         units=[dict(code="hall", name="集会室", capacity=50, slot_times=THREE_PARTS, fee_weekday_yen=0,
                     fee_holiday_yen=0),
                dict(code="washitsu", name="和室", capacity=15, slot_times=THREE_PARTS, fee_weekday_yen=0,
                     fee_holiday_yen=0)]),
]


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def seed_demo(*, now: dt.datetime | None = None, with_users: bool = False) -> dict:
    """Create (or update) the sample facilities, slots and an open lottery period.

    Idempotent. The lottery covers the next month (or the one after if the
    next starts within 5 days); its window is open from yesterday to 3 days
    before that month. With ``with_users``: a sample citizen login, a second
    member and a sample group; the returned ``users`` lists
    ``(username, password)`` (passwords are new on every run).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    usage_start = _month_after(today)
    if (usage_start - today).days < 5:
        usage_start = _month_after(usage_start)
    usage_end = _month_after(usage_start) - dt.timedelta(days=1)
    out: dict = {"facilities": [], "slots": 0, "period": None, "users": []}
    with transaction.atomic():
        facilities = [ensure_facility(**spec) for spec in FACILITIES]
        out["facilities"] = [f.slug for f in facilities]
        out["slots"] = generate_slots(facilities, today, usage_start - dt.timedelta(days=1))
        period = LotteryPeriod.objects.filter(usage_starts_on=usage_start, usage_ends_on=usage_end).first()
        if period is None:
            closes = dt.datetime.combine(usage_start - dt.timedelta(days=3), dt.time.min, schedule.TOKYO)
            period = create_period(
                title=f"{usage_start.year}年{usage_start.month}月利用分 抽選（サンプル）",
                facility_types=[t for t, _ in FacilityType.choices],
                application_opens_at=dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min, schedule.TOKYO),
                application_closes_at=closes, draw_at=closes + dt.timedelta(hours=9), usage_starts_on=usage_start,
                usage_ends_on=usage_end, now=now,
                rules={"max_entries_per_individual": 6, "max_entries_per_group": 10,
                       "max_entries_per_facility_type": {"outdoor_sports": 4}, "min_group_members": 3,
                       "priority_classes": ["disability"], "keep_rule": "preference"})
        else:
            out["slots"] += generate_slots([f for f in facilities if f.facility_type in period.facility_types],
                                           usage_start, usage_end, period=period)
        out["period"] = period
        if with_users:
            out["users"] = _demo_users()
    return out


def _demo_users() -> list[tuple[str, str]]:
    User = get_user_model()
    creds = []
    people = [("demo-citizen", "川崎 太郎", "かわさき たろう", "中原区"), ("demo-member", "多摩 花子", "たま はなこ", "多摩区"),
              ("demo-member2", "高津 次郎", "たかつ じろう", "高津区")]
    members = []
    for username, name, kana, ward in people:
        password = secrets.token_urlsafe(9)
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.jp"})
        user.set_password(password)
        user.save()
        member = Member.objects.filter(user=user).first() or register_member(
            user=user, name=name, name_kana=kana, email=user.email, ward=ward)
        members.append(member)
        creds.append((username, password))
    if not members[0].represented_groups.exists():
        create_group(name="サンプル少年野球クラブ", representative=members[0], members=members[1:])
    return creds
