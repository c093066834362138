"""Facilities (施設), their bookable units (面・室) and time slots (枠)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class FacilityType(models.TextChoices):
    """The city's four reservation groups (issue #7 figures are kept per group)."""

    OUTDOOR_SPORTS = "outdoor_sports", "屋外スポーツ施設"
    INDOOR_SPORTS = "indoor_sports", "屋内スポーツ施設"
    CIVIC_HALL = "civic_hall", "文化・市民館"
    COMMUNITY_HALL = "community_hall", "地域の集会施設"


class HolidayRule(models.TextChoices):
    """What a national holiday (国民の祝日, from ``jpholiday``) does to the opening days."""

    OPEN = "open", "祝日も開館"
    CLOSED = "closed", "祝日は休館"
    NEXT_WEEKDAY = "next_weekday", "休館日が祝日の場合は開館し、翌平日を休館"


#: Accessibility features (code → label), shown as text (JIS X 8341-3: not by icon alone).
ACCESSIBILITY = {
    "step_free": "段差なし（車いすで入れる）",
    "accessible_toilet": "車いす対応トイレ",
    "elevator": "エレベーター",
    "accessible_parking": "障害者用駐車場",
    "hearing_loop": "磁気ループ（補聴援助）",
    "assistance_dogs": "補助犬同伴可",
    "ostomate": "オストメイト対応トイレ",
}

WEEKDAYS_JA = "月火水木金土日"


class Facility(models.Model):
    """A public facility (施設): a ground, gym, civic hall or community hall.

    Opening days: ``closed_weekdays`` (0 = Monday) and ``holiday_rule``;
    ``closed_year_end`` closes 12/29–1/3 (年末年始); ``closed_dates`` lists
    ISO dates of extra closures (点検など). Slots are generated from the
    units' ``slot_times`` within ``opening_time``–``closing_time``.
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField("名称", max_length=200)
    facility_type = models.CharField("種類", max_length=20, choices=FacilityType.choices)
    ward = models.CharField("区", max_length=20)
    address = models.CharField("所在地", max_length=300, blank=True)
    latitude = models.FloatField("緯度", null=True, blank=True)
    longitude = models.FloatField("経度", null=True, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    description = models.TextField("説明", blank=True)
    capacity = models.PositiveIntegerField("定員（人）", default=0)
    accessibility = models.JSONField("バリアフリー設備", default=list, blank=True,
                                     help_text="コードの一覧: " + ", ".join(ACCESSIBILITY))
    opening_time = models.TimeField("開館時刻")
    closing_time = models.TimeField("閉館時刻")
    closed_weekdays = models.JSONField("休館曜日", default=list, blank=True, help_text="0=月曜 … 6=日曜")
    holiday_rule = models.CharField("祝日の扱い", max_length=20, choices=HolidayRule.choices,
                                    default=HolidayRule.OPEN)
    closed_year_end = models.BooleanField("年末年始（12/29〜1/3）休館", default=True)
    closed_dates = models.JSONField("臨時休館日", default=list, blank=True, help_text="ISO 8601 の日付の一覧")
    active = models.BooleanField("受付中", default=True)

    class Meta:
        ordering = ["facility_type", "ward", "name"]
        verbose_name = verbose_name_plural = "施設"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reservations:facility", args=[self.slug])

    @property
    def accessibility_labels(self) -> list[str]:
        return [ACCESSIBILITY.get(code, code) for code in self.accessibility]

    @property
    def closed_weekdays_label(self) -> str:
        return "・".join(WEEKDAYS_JA[d] for d in sorted(self.closed_weekdays)) or "なし"


class BookableUnit(models.Model):
    """One bookable part of a facility (面・室): 野球場A面, 大ホール, 第1会議室.

    ``slot_times``: the day's slots as ``"HH:MM-HH:MM"`` strings. Fees in yen
    per slot, ``fee_holiday_yen`` on Saturdays, Sundays and national holidays.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="units")
    code = models.SlugField("コード", max_length=50)
    name = models.CharField("名称", max_length=100)
    capacity = models.PositiveIntegerField("定員（人）", default=0)
    slot_times = models.JSONField("利用時間帯", default=list, help_text='例: ["09:00-12:00", "13:00-17:00"]')
    fee_weekday_yen = models.PositiveIntegerField("使用料 平日（円/枠）", default=0)
    fee_holiday_yen = models.PositiveIntegerField("使用料 土日祝（円/枠）", default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["facility", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["facility", "code"], name="unit_unique_code")]
        verbose_name = verbose_name_plural = "予約単位（面・室）"

    def __str__(self) -> str:
        return f"{self.facility.name} {self.name}"


class Slot(models.Model):
    """One unit at one time (枠). ``lottery_period`` set = offered in that lottery
    first; ``closed`` = not offered (工事・行事)."""

    unit = models.ForeignKey(BookableUnit, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField("開始")
    end = models.DateTimeField("終了")
    fee_yen = models.PositiveIntegerField("使用料（円）", default=0)
    lottery_period = models.ForeignKey("reservations.LotteryPeriod", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="slots", verbose_name="抽選")
    closed = models.BooleanField("受付停止", default=False)

    class Meta:
        ordering = ["start", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "start"], name="slot_unique_unit_start")]
        indexes = [models.Index(fields=["start"], name="slot_start_idx")]
        verbose_name = verbose_name_plural = "枠"

    def __str__(self) -> str:
        return f"{self.unit} {self.start:%Y-%m-%d %H:%M}"
