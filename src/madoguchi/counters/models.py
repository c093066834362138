"""Counter congestion (窓口混雑): ward offices, their counters, and every reading.

A reading is what a counter's ticket machine (or a clerk) reports: how many
people wait (待ち人数) and the ticket number being called (呼出番号). Every
reading is kept; the current state is the latest reading of each counter, and
each day's readings are published as an open dataset (``services.publish_day``).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone


class Office(models.Model):
    """A ward office or branch (区役所・支所). Pushes readings with its own API token (only a hash is kept)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("English name", max_length=100, blank=True)
    address = models.CharField("所在地", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False,
                                  help_text="SHA-256 of the push token (the token itself is shown once)")
    token_created = models.DateTimeField("トークン発行日時", null=True, blank=True, editable=False)
    opens_at = models.TimeField("受付開始", null=True, blank=True,
                                help_text="平日の受付開始時刻（土日・祝日・年末年始 12/29〜1/3 は閉庁）。"
                                          "空欄なら受付時間外の表示をしません")
    closes_at = models.TimeField("受付終了", null=True, blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = verbose_name_plural = "区役所・支所"

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A counter (窓口) of an office, e.g. 区民課 住民記録（転入・転出）.

    ``service_minutes`` is the standard time per person (標準処理時間, minutes), used
    for the estimated wait when recent readings do not give a service rate.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="counters", verbose_name="区役所・支所")
    slug = models.SlugField(max_length=50)
    name = models.CharField("窓口名", max_length=200)
    description = models.CharField("取り扱う手続", max_length=500, blank=True)
    service_minutes = models.PositiveSmallIntegerField("1人あたりの標準処理時間（分）", default=5)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField("表示する", default=True)

    class Meta:
        ordering = ["office__order", "office__name", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "slug"], name="counter_unique_slug")]
        verbose_name = verbose_name_plural = "窓口"

    def __str__(self) -> str:
        return f"{self.office.name} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("counters:counter", args=[self.office.slug, self.slug])


class CounterReading(models.Model):
    """One report of a counter: 待ち人数 and 呼出番号 at ``recorded_at``. Never changed once written."""

    class Source(models.TextChoices):
        API = "api", "自動（API）"
        STAFF = "staff", "職員入力"
        DEMO = "demo", "デモデータ"

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="readings", verbose_name="窓口")
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)
    waiting = models.PositiveIntegerField("待ち人数")
    calling = models.PositiveIntegerField("呼出番号", null=True, blank=True)
    source = models.CharField("入力元", max_length=10, choices=Source.choices, default=Source.API)

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["counter", "recorded_at"], name="reading_counter_time"),
                   models.Index(fields=["recorded_at"], name="reading_time")]
        verbose_name = verbose_name_plural = "混雑状況の記録"

    def __str__(self) -> str:
        return f"{self.counter} {self.recorded_at:%Y-%m-%d %H:%M} 待ち{self.waiting}人"
