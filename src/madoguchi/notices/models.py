"""Notices (issue #17 parts 1–3): topics, areas, subscriptions per channel, notices and their deliveries.

A ``Subscription`` holds only what delivery needs (an address, a LINE user id, or a Web Push endpoint and
its keys) plus the chosen topics and areas; deleting it deletes it (deliveries keep no address).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

CHANNELS = (("mail", "メール"), ("line", "LINE"), ("webpush", "Web プッシュ"))


class Topic(models.Model):
    """A subject people subscribe to (防災, イベント …); staff-defined data. ``slug`` is what services pass."""

    slug = models.SlugField(unique=True)
    name = models.CharField("名前", max_length=80)
    description = models.CharField("説明", max_length=300, blank=True)
    active = models.BooleanField("受付中", default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = verbose_name_plural = "トピック"

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A ward (区) or a town (町丁) of the city; ``name`` is what services pass (e.g. "川崎区")."""

    class Kind(models.TextChoices):
        WARD = "ward", "区"
        TOWN = "town", "町丁"

    name = models.CharField("名前", max_length=80, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WARD)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = verbose_name_plural = "地域"

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """One person on one channel. ``address``: e-mail address | LINE user id | Web Push endpoint URL.

    ``areas`` empty = the whole city. Mail is ``verified`` only after the signed link was opened; nothing is
    sent before. ``keys``: Web Push ``{"p256dh": …, "auth": …}``.
    """

    channel = models.CharField(max_length=8, choices=CHANNELS)
    address = models.CharField(max_length=800)
    keys = models.JSONField(default=dict, blank=True)
    verified = models.BooleanField(default=False)
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscriptions")
    areas = models.ManyToManyField(Area, blank=True, related_name="subscriptions")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="notices_one_subscription")]
        verbose_name = verbose_name_plural = "購読"

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"


class Notice(models.Model):
    """A message to the subscribers of ``topic`` in ``areas`` (names; empty = everyone) on ``channels``
    (empty = every channel a subscriber chose)."""

    class State(models.TextChoices):
        DRAFT = "draft", "下書き"
        SCHEDULED = "scheduled", "予約"
        QUEUED = "queued", "送信中"
        DONE = "done", "送信済み"

    title = models.CharField("件名", max_length=120)
    body = models.TextField("本文")
    link = models.URLField("リンク", blank=True, max_length=500)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="notices")
    areas = models.JSONField("地域", default=list, blank=True)
    channels = models.JSONField("チャネル", default=list, blank=True)
    source = models.CharField("送信元", max_length=80, blank=True)
    send_at = models.DateTimeField("送信日時", null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    queued_at = models.DateTimeField(null=True, blank=True)
    line_request_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = verbose_name_plural = "お知らせ"

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message of one notice to one subscription on one channel (unique: the idempotency key)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待機"
        SENT = "sent", "送信済み"
        FAILED = "failed", "失敗"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, null=True, on_delete=models.SET_NULL, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=CHANNELS)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "subscription", "channel"],
                                               name="notices_one_delivery")]
        indexes = [models.Index(fields=["notice", "channel", "status"])]


class Click(models.Model):
    """A click through ``/notices/r/<token>`` (per notice and channel; no recipient is recorded)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="clicks")
    channel = models.CharField(max_length=8, choices=CHANNELS)
    at = models.DateTimeField(auto_now_add=True)


class LineStat(models.Model):
    """LINE's aggregate statistics of a notice (``insight/message/event/aggregation``), when fetched."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="line_stat")
    delivered = models.IntegerField(null=True)
    unique_impressions = models.IntegerField(null=True)
    unique_clicks = models.IntegerField(null=True)
    fetched_at = models.DateTimeField(auto_now=True)


class WebhookRecord(models.Model):
    """A refused LINE webhook call (forged or missing signature): when, from where, why."""

    at = models.DateTimeField(auto_now_add=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200)
    body_bytes = models.IntegerField(default=0)
