"""Lottery periods (抽選期間), entries (抽選申込) and results (抽選結果)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .facilities import Slot
from .members import Group, Member

#: Rules of a period unless the city sets others (published on the period page).
DEFAULT_RULES = {
    "max_entries_per_individual": 10,      # entries per individual per period
    "max_entries_per_group": 20,           # entries per group per period
    "max_entries_per_facility_type": {},   # {"outdoor_sports": 6, …} per applicant per period
    "min_group_members": 0,                # registered members a group needs to enter
    "priority_classes": [],                # PriorityClass codes drawn first, in this order
    "keep_rule": "preference",             # overlapping wins: "preference" or "earliest"
}


class PeriodState(models.TextChoices):
    UPCOMING = "upcoming", "受付前"
    OPEN = "open", "受付中"
    CLOSED = "closed", "締切（抽選待ち）"
    DRAWN = "drawn", "抽選済み"


class LotteryPeriod(models.Model):
    """One monthly lottery (抽選期間): application window, draw time, rules, seed.

    The seed (32 random bytes) is made and its SHA-256 (``seed_sha256``)
    stored when the period is created, before the window closes; ``seed_hex``
    is shown to nobody until the draw has run (``seed_revealed_at``).
    ``pseudonym_salt`` makes the applicant pseudonyms of the published entry
    list; it is never published.
    """

    title = models.CharField("名称", max_length=200)
    facility_types = models.JSONField("対象施設の種類", default=list)
    application_opens_at = models.DateTimeField("申込開始")
    application_closes_at = models.DateTimeField("申込締切")
    draw_at = models.DateTimeField("抽選日時")
    usage_starts_on = models.DateField("利用期間（開始日）")
    usage_ends_on = models.DateField("利用期間（終了日）")
    rules = models.JSONField("規則", default=dict, blank=True)
    seed_sha256 = models.CharField("シードの SHA-256", max_length=64, editable=False)
    seed_committed_at = models.DateTimeField("シード公表日時", editable=False)
    seed_hex = models.CharField(max_length=64, editable=False)
    seed_revealed_at = models.DateTimeField("シード公開日時", null=True, blank=True, editable=False)
    pseudonym_salt = models.CharField(max_length=64, editable=False)
    drawn_at = models.DateTimeField("抽選実施日時", null=True, blank=True, editable=False)
    entries_file = models.CharField(max_length=300, blank=True, editable=False)
    entries_sha256 = models.CharField("申込一覧の SHA-256", max_length=64, blank=True, editable=False)
    results_file = models.CharField(max_length=300, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-usage_starts_on", "-pk"]
        verbose_name = verbose_name_plural = "抽選期間"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reservations:period", args=[self.pk])

    @property
    def effective_rules(self) -> dict:
        return {**DEFAULT_RULES, **(self.rules or {})}

    def state_at(self, now=None) -> str:
        now = now or timezone.now()
        if self.drawn_at:
            return PeriodState.DRAWN
        if now < self.application_opens_at:
            return PeriodState.UPCOMING
        if now < self.application_closes_at:
            return PeriodState.OPEN
        return PeriodState.CLOSED

    @property
    def state(self) -> str:
        return self.state_at()

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label

    @property
    def revealed_seed(self) -> str | None:
        """The seed, only once the draw has run; ``None`` before."""
        return self.seed_hex if self.seed_revealed_at else None


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "申込中"
    WITHDRAWN = "withdrawn", "取消"
    INVALID = "invalid", "無効"


class LotteryEntry(models.Model):
    """One lottery entry (抽選申込) for one slot. 申込番号 = ``pk`` (published as ``entry_id``).

    The applicant is ``group`` if set (entered by its representative
    ``member``), else ``member``. ``preference`` is the applicant's wish
    order (1 = most wanted). ``priority_class`` is the applicant's class when
    entering.
    """

    period = models.ForeignKey(LotteryPeriod, on_delete=models.CASCADE, related_name="entries")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="entries")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    priority_class = models.CharField(max_length=20, blank=True, default="")
    preference = models.PositiveSmallIntegerField("希望順位", default=1)
    status = models.CharField("状態", max_length=10, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    invalid_reason = models.TextField("無効の理由", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "member"], condition=Q(group__isnull=True, status="active"),
                                    name="entry_unique_individual_slot"),
            models.UniqueConstraint(fields=["slot", "group"], condition=Q(group__isnull=False, status="active"),
                                    name="entry_unique_group_slot"),
        ]
        verbose_name = verbose_name_plural = "抽選申込"

    def __str__(self) -> str:
        return f"申込番号 {self.pk}"

    @property
    def applicant_label(self) -> str:
        return str(self.group) if self.group_id else str(self.member)


class Outcome(models.TextChoices):
    WON = "won", "当選"
    PASSED = "passed", "繰り下げ（重なる当選枠を優先）"
    LOST = "lost", "落選"


class LotteryResult(models.Model):
    """The result of one entry. ``rank``: place in its slot's draw order (1 = first)."""

    entry = models.OneToOneField(LotteryEntry, on_delete=models.CASCADE, related_name="result")
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    rank = models.PositiveIntegerField("抽選順位")
    booking = models.OneToOneField("reservations.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="lottery_result")

    class Meta:
        ordering = ["entry"]
        verbose_name = verbose_name_plural = "抽選結果"
