"""Inquiry assistant (issue #15): the city's Q&A, the questions asked, hand-offs to staff, call-centre logs.

Personal data: ``QuestionLog.text`` and ``CallLog.question`` are stored only after the privacy scan has
masked names, phone numbers, e-mail addresses and My Numbers (``privacy.services.mask_personal_text``);
``Inquiry`` keeps the question and the e-mail address the answer goes to, because staff must answer
them, and is deleted ``FAQ_INQUIRY_RETENTION_DAYS`` after it was answered. Logs are deleted after
``FAQ_LOG_RETENTION_DAYS`` (``services.purge_expired``), leaving the weekly counts in ``WeeklyCount``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class QaEntry(models.Model):
    """One question and its answer (標準Q&A), with the department that owns it (担当課)."""

    class State(models.TextChoices):
        DRAFT = "draft", "下書き"
        PUBLISHED = "published", "公開"
        ARCHIVED = "archived", "公開終了"

    question = models.TextField("質問")
    answer = models.TextField("回答")
    category = models.CharField("分類", max_length=100, blank=True)
    department = models.CharField("担当課", max_length=200, blank=True)
    #: ``[{"title": str, "url": str}]``: procedures, datasets and pages the answer points to
    links = models.JSONField("関連リンク", default=list, blank=True)
    state = models.CharField("公開状態", max_length=10, choices=State.choices, default=State.DRAFT)
    source = models.CharField("取込元", max_length=200, blank=True, help_text="file name and row, or inquiry")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = "Q&A"
        verbose_name_plural = "Q&A"

    def __str__(self) -> str:
        return self.question[:60]


class QaRevision(models.Model):
    """The state of a ``QaEntry`` after each save (history: who changed what, when)."""

    entry = models.ForeignKey(QaEntry, on_delete=models.CASCADE, related_name="revisions")
    question = models.TextField()
    answer = models.TextField()
    category = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class Synonym(models.Model):
    """Words citizens use for a term of the Q&A (同義語), applied to questions before retrieval."""

    term = models.CharField("見出し語", max_length=100, unique=True)
    variants = models.TextField("言い換え", help_text="読点・カンマ・改行で区切る")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        verbose_name = "同義語"
        verbose_name_plural = "同義語"

    def variant_list(self) -> list[str]:
        import re

        return [v.strip() for v in re.split(r"[、,，\n]", self.variants) if v.strip()]

    def __str__(self) -> str:
        return self.term


class QuestionLog(models.Model):
    """A question asked on the page, the API or LINE, masked, with what the assistant did."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "回答"
        SERVICE = "service", "サービスへ案内"
        UNANSWERED = "unanswered", "回答なし"

    asked_at = models.DateTimeField(db_index=True)
    text = models.TextField("質問 (個人情報をマスク済み)")
    channel = models.CharField(max_length=10, default="web")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    entry = models.ForeignKey(QaEntry, null=True, blank=True, on_delete=models.SET_NULL)
    category = models.CharField(max_length=100, blank=True)
    score = models.FloatField(default=0.0)
    handed_off = models.BooleanField(default=False)

    class Meta:
        ordering = ["-asked_at"]


class Inquiry(models.Model):
    """A question handed off to the department's staff (問合せ): answered by mail, then maybe a new Q&A."""

    class Status(models.TextChoices):
        OPEN = "open", "未回答"
        ANSWERED = "answered", "回答済み"
        CLOSED = "closed", "対応終了"

    created = models.DateTimeField(auto_now_add=True)
    question = models.TextField("質問")
    email = models.EmailField("回答の送り先")
    department = models.CharField("担当課", max_length=200, blank=True)
    category = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("回答", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    mail_task_id = models.CharField(max_length=64, blank=True)
    entry = models.ForeignKey(QaEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries",
                              help_text="the Q&A made from this inquiry")
    log = models.ForeignKey(QuestionLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created"]


class CallLog(models.Model):
    """One call of the contact centre's log (コールセンター): imported, masked, analysed."""

    date = models.DateField(db_index=True)
    channel = models.CharField("受付チャネル", max_length=30, blank=True)
    category = models.CharField("分類", max_length=100, blank=True)
    question = models.TextField("問合せ内容 (個人情報をマスク済み)")
    batch = models.CharField(max_length=200, blank=True, help_text="imported file name")

    class Meta:
        ordering = ["-date", "id"]


class WeeklyCount(models.Model):
    """Counts kept when the logs they came from are deleted (the analytics' history)."""

    week = models.DateField(help_text="Monday of the ISO week")
    category = models.CharField(max_length=100, blank=True)
    asked = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    handed_off = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "category"], name="faq_weekly_unique")]
