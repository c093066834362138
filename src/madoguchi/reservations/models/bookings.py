"""Bookings (予約), cancellations (取消) and no-show records (無断不使用)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .facilities import BookableUnit, Slot
from .members import Group, Member


class BookingSource(models.TextChoices):
    LOTTERY = "lottery", "抽選"
    DIRECT = "direct", "先着順"
    STAFF = "staff", "窓口"


class BookingStatus(models.TextChoices):
    ACTIVE = "active", "予約中"
    CANCELLED = "cancelled", "取消済み"


class Booking(models.Model):
    """A booking (予約) of one unit at one time. 予約番号 = ``pk``.

    No double booking: at most one *active* booking per (unit, start), by a
    conditional unique constraint the database enforces (SQLite and
    PostgreSQL partial unique index), so two concurrent transactions cannot
    both commit one.
    """

    unit = models.ForeignKey(BookableUnit, on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField("開始")
    end = models.DateTimeField("終了")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="bookings")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    source = models.CharField("受付方法", max_length=10, choices=BookingSource.choices)
    status = models.CharField("状態", max_length=10, choices=BookingStatus.choices, default=BookingStatus.ACTIVE)
    fee_yen = models.PositiveIntegerField("使用料（円）", default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "start"], condition=Q(status="active"),
                                               name="booking_unique_active_unit_start")]
        verbose_name = verbose_name_plural = "予約"

    def __str__(self) -> str:
        return f"予約番号 {self.pk}"

    @property
    def applicant_label(self) -> str:
        return str(self.group) if self.group_id else str(self.member)


class Cancellation(models.Model):
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="cancellation")
    cancelled_at = models.DateTimeField("取消日時")
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reason = models.CharField("理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "予約の取消"


class NoShow(models.Model):
    """Booked but not used and not cancelled (無断不使用), recorded by staff."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="no_show")
    recorded_at = models.DateTimeField("記録日時")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    note = models.CharField("メモ", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "無断不使用"
