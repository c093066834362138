"""Bulky-waste collection (粗大ごみ収集申込, issue #14 point 4).

``FeeRule`` is the fee table parsed from a city's 5374 dictionary (``bulky.fees``), reviewed by staff.
``CollectionArea`` is one 町名 with its bulky-collection weekdays and daily capacity; ``CollectionDay``
one date's capacity and bookings (``booked <= capacity`` is a database constraint and reservations
take a place with one conditional UPDATE, ``bulky.services``). ``BulkyRequest`` is the bulky part of an
``applications.Application``; ``TicketUse`` records each 粗大ごみ処理券 number once (unique).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FeeRule(models.Model):
    class Kind(models.TextChoices):
        FLAT = "flat", "定額"
        SIZE = "size", "大きさ別"

    class Status(models.TextChoices):
        PARSED = "parsed", "読み取り済み"
        NEEDS_REVIEW = "needs_review", "要確認"
        REVIEWED = "reviewed", "確認済み"

    source = models.SlugField("ごみ分別データ", max_length=50, help_text="gomi.GarbageSource の識別子 (例 kameoka)")
    item = models.CharField("品目", max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FLAT)
    #: flat: the fee in yen; size: null
    yen = models.PositiveIntegerField("料金 (円)", null=True, blank=True)
    #: size: [{"label": "長辺1m未満", "min": null, "max": 100, "unit": "cm", "yen": 600}, …] (min inclusive, max exclusive)
    tiers = models.JSONField(default=list, blank=True)
    source_text = models.TextField("元の記載", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PARSED)
    reason = models.CharField("要確認の理由", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source", "item"]
        constraints = [models.UniqueConstraint(fields=["source", "item"], name="bulky_feerule_unique_item")]

    def __str__(self) -> str:
        return f"{self.source} {self.item}"

    @property
    def usable(self) -> bool:
        """Citizens may choose it (parsed or reviewed, not waiting for review)."""
        return self.status != self.Status.NEEDS_REVIEW


class CollectionArea(models.Model):
    source = models.SlugField(max_length=50)
    name = models.CharField("町名", max_length=200)
    #: bulky-collection weekdays, 月火水木金土日 letters separated by spaces (e.g. "水")
    weekdays = models.CharField("収集曜日", max_length=20)
    daily_capacity = models.PositiveIntegerField("1日の受付件数", default=20)
    #: a date can be booked (and cancelled) until this many days before it
    cutoff_days = models.PositiveIntegerField("締切 (収集日の何日前まで)", default=2)

    class Meta:
        ordering = ["source", "id"]
        constraints = [models.UniqueConstraint(fields=["source", "name"], name="bulky_area_unique_name")]

    def __str__(self) -> str:
        return self.name


class CollectionDay(models.Model):
    area = models.ForeignKey(CollectionArea, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["area", "date"], name="bulky_day_unique_date"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="bulky_day_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date}"


class BulkyRequest(models.Model):
    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE, related_name="bulky")
    area = models.ForeignKey(CollectionArea, on_delete=models.PROTECT, related_name="requests")
    day = models.ForeignKey(CollectionDay, on_delete=models.PROTECT, related_name="requests")
    #: [{"name": "タンス", "size_label": "長辺1m未満", "yen": 600, "count": 1}, …]
    items = models.JSONField(default=list)
    total_yen = models.PositiveIntegerField()
    payment = models.CharField(max_length=20, default="ticket")
    address = models.CharField("住所", max_length=300)
    phone = models.CharField("電話番号", max_length=30)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day__date", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.day}"


class TicketUse(models.Model):
    number = models.CharField("処理券番号", max_length=12, unique=True)
    #: SET_NULL: when the application is deleted after its retention period, the number stays used (a ticket
    #: is paid for once; a cancelled request's numbers are freed by ``services.cancel`` instead)
    request = models.ForeignKey(BulkyRequest, on_delete=models.SET_NULL, null=True, related_name="tickets")

    def __str__(self) -> str:
        return self.number
