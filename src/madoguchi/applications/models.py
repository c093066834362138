"""Applications (申請) to the city's online forms (issue #14).

An ``Application`` is one submitted form (``eforms.FormVersion``) with its answers (``data``), the
citizen's e-mail, a public ``reference`` and a ``secret`` (only its hash is stored) with which the
citizen looks it up. ``client_token`` makes a submission idempotent (double clicks, retries).
``ApplicationFile`` holds attachments; ``StatusChange`` is the history; ``Correction`` a 補正要求
and its answer; ``Note`` staff notes; ``AccessLog`` who viewed or exported personal data;
``DepartmentMember`` who may see a department's applications; ``ApplicationStat`` the counts that
survive deletion after the retention period; ``Draft`` a citizen's 一時保存 (expires after 30 days).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("受付")
    REVIEWING = "reviewing", _("審査中")
    CORRECTION = "correction", _("補正要求")
    COMPLETED = "completed", _("完了")
    REJECTED = "rejected", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")


class Channel(models.TextChoices):
    ONLINE = "online", "オンライン"
    COUNTER = "counter", "窓口"
    MAIL = "mail", "郵送"
    PHONE = "phone", "電話"


class Application(models.Model):
    Status = Status
    Channel = Channel

    reference = models.CharField("受付番号", max_length=20, unique=True)
    secret_hash = models.CharField(max_length=128)
    form = models.ForeignKey("eforms.Form", on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey("eforms.FormVersion", on_delete=models.PROTECT, related_name="applications")
    client_token = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    email_verified = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    department = models.CharField("担当課", max_length=200, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_applications")
    submitted_at = models.DateTimeField()
    retain_until = models.DateField("保存期限")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["retain_until"])]

    def __str__(self) -> str:
        return self.reference


class ApplicationFile(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    field = models.CharField(max_length=100)
    name = models.CharField("元のファイル名", max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)  # bytes
    file = models.FileField(upload_to="applications/%Y/%m/", max_length=300)

    def __str__(self) -> str:
        return f"{self.application_id} {self.field} {self.name}"


class StatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    old = models.CharField(max_length=20, blank=True, choices=Status.choices)  # blank: the first change
    new = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Correction(models.Model):
    """A 補正要求: staff ask the citizen to fix ``fields`` (field names); the citizen's answer is
    ``answer_data`` (new values of those fields), at ``answered_at``."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="corrections")
    message = models.TextField()
    fields = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_data = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]


class Note(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "閲覧"
        EXPORT = "export", "出力"
        STATUS = "status", "状態変更"
        NOTE = "note", "メモ"

    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="access_logs")
    reference = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class DepartmentMember(models.Model):
    """``user`` works in ``department`` and may see its applications' personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="departments")
    department = models.CharField("担当課", max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="applications_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.department}"


class ApplicationStat(models.Model):
    """How many applications a form had per year and channel (kept after the applications are deleted)."""

    form = models.ForeignKey("eforms.Form", on_delete=models.CASCADE, related_name="application_stats")
    year = models.PositiveIntegerField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "year", "channel"], name="applications_stat_unique")]


class Draft(models.Model):
    """A citizen's unfinished application (一時保存), resumed with ``token``; expires at ``expires_at``."""

    token = models.CharField(max_length=64, unique=True)
    form = models.ForeignKey("eforms.Form", on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey("eforms.FormVersion", on_delete=models.CASCADE, related_name="drafts")
    email = models.EmailField(blank=True)
    email_verified = models.BooleanField(default=False)
    #: hash of the e-mail verification code being waited for (blank when none)
    code_hash = models.CharField(max_length=128, blank=True)
    code_tries = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    #: the idempotency token the confirm page posts (made when it is first shown)
    client_token = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]
