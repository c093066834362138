"""Emergency mode: JMA messages received (``Alert``), staff rules (``Rule``), what a rule decided for a
message (``Dispatch``) and the audit log of the mode (``ModeChange``, the latest row is the state)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .jma import CATEGORY_LABELS, INTENSITIES, INTENSITY_LABELS


class Alert(models.Model):
    """One JMA XML message as received. ``state``: parsed, or failed with ``failure`` (Japanese)."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "職員のアップロード"
        CLI = "cli", "コマンド"
        FEED = "feed", "気象庁フィード"

    class State(models.TextChoices):
        PARSED = "parsed", "読み取り済み"
        FAILED = "failed", "読み取り失敗"

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_name = models.CharField("ファイル名・URL", max_length=500, blank=True)
    feed_entry_id = models.CharField(max_length=500, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices)
    failure = models.TextField("失敗の理由", blank=True)
    raw = models.TextField("受信した XML", blank=True)
    category = models.CharField(max_length=30, blank=True, db_index=True)
    control_title = models.CharField(max_length=200, blank=True)
    status = models.CharField("運用種別", max_length=20, blank=True)  # 通常 / 訓練 / 試験
    info_type = models.CharField("情報形態", max_length=20, blank=True)  # 発表 / 訂正 / 取消
    title = models.CharField(max_length=300, blank=True)
    headline = models.TextField(blank=True)
    report_datetime = models.DateTimeField(null=True, blank=True)
    editorial_office = models.CharField(max_length=100, blank=True)
    event_id = models.CharField(max_length=100, blank=True)
    max_intensity = models.CharField(max_length=3, blank=True)
    parsed = models.JSONField(default=dict, blank=True)  # jma.Report.as_dict()
    city_areas = models.JSONField(default=list, blank=True)  # the entries for the city's area codes

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "気象庁防災情報"
        verbose_name_plural = "気象庁防災情報"

    def __str__(self) -> str:
        return self.title or self.source_name or f"Alert {self.pk}"

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category or "—")

    @property
    def known(self) -> bool:
        return self.state == self.State.PARSED and self.category not in ("", "unknown")

    @property
    def is_real(self) -> bool:
        """A real message in force (通常, not 取消)."""
        return self.status == "通常" and self.info_type != "取消"


class Rule(models.Model):
    """What staff want done when a message matches: ``categories`` (empty = any) and ``kind_names``
    (e.g. 大雨特別警報; one per line) and/or ``min_intensity`` (``5-`` = 震度5弱以上) in ``area_codes``
    (one per line; empty = every code of ``EMERGENCY_JMA_AREAS``)."""

    class Notify(models.TextChoices):
        NONE = "none", "通知しない"
        CONFIRM = "confirm", "職員の確認後に通知"
        IMMEDIATE = "immediate", "すぐに通知"

    name = models.CharField("名前", max_length=100)
    categories = models.CharField("情報の種類", max_length=200, blank=True,
                                  help_text="例: weather_warning（空欄はすべて）。複数はカンマ区切り")
    kind_names = models.TextField("警報等の名前", blank=True, help_text="1 行に 1 つ。例: 大雨特別警報")
    min_intensity = models.CharField("震度（以上）", max_length=3, blank=True,
                                     choices=[("", "—")] + [(v, INTENSITY_LABELS[v] + "以上") for v in INTENSITIES])
    area_codes = models.TextField("地域コード", blank=True, help_text="1 行に 1 つ（空欄は市の全地域）")
    activate = models.BooleanField("緊急モードにする", default=True)
    notify = models.CharField("防災情報の購読者への通知", max_length=10, choices=Notify.choices,
                              default=Notify.CONFIRM)
    enabled = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "緊急モードのルール"
        verbose_name_plural = "緊急モードのルール"

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def _lines(value: str) -> list[str]:
        return [v.strip() for v in value.replace(",", "\n").splitlines() if v.strip()]

    @property
    def category_list(self) -> list[str]:
        return self._lines(self.categories)

    @property
    def kind_list(self) -> list[str]:
        return self._lines(self.kind_names)

    @property
    def code_list(self) -> list[str]:
        return self._lines(self.area_codes)


class Dispatch(models.Model):
    """A rule matched an alert: the city's areas it matched and what happened to the notice."""

    class State(models.TextChoices):
        PENDING = "pending", "確認待ち"
        SENT = "sent", "通知済み"
        DISMISSED = "dismissed", "通知しない"
        NONE = "none", "通知なし（ルール）"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="dispatches")
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, related_name="dispatches")
    rule_name = models.CharField(max_length=100)
    area_codes = models.JSONField(default=list)
    area_names = models.JSONField(default=list)  # 区/町丁 names for the notices app
    levels = models.JSONField(default=list)  # ["新宿区: 大雨特別警報", …]
    state = models.CharField(max_length=10, choices=State.choices)
    notice_ref = models.CharField(max_length=100, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["alert", "rule"], name="emergency_dispatch_once")]


class ModeChange(models.Model):
    """Audit log of emergency mode: who switched it on or off, when, why (the latest row is the state).
    ``user`` is None when a rule switched it (``alert`` and ``rule_name`` say which)."""

    active = models.BooleanField()
    title = models.CharField("見出し", max_length=200, blank=True)
    message = models.TextField("お知らせ", blank=True)
    reason = models.TextField("理由")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rule_name = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "緊急モードの切替記録"
        verbose_name_plural = "緊急モードの切替記録"

    @property
    def by(self) -> str:
        if self.user_id:
            return self.user.get_username()
        return f"ルール「{self.rule_name}」" if self.rule_name else "システム"
