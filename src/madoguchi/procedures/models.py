"""The procedure guide (手続きガイド): one row per administrative procedure the city receives.

Rows come from the Digital Agency's survey (``survey_id`` = 手続ID) or are made by the city itself
(``survey_id`` null). Staff decide which ones this city ``offered`` and link the online form.
"""

from __future__ import annotations

from django.db import models

from madoguchi.text import normalize_for_search


class Procedure(models.Model):
    survey_id = models.CharField("手続ID (棚卸調査)", max_length=32, unique=True, null=True, blank=True,
                                 help_text="デジタル庁「行政手続等の棚卸調査結果」の手続ID。市独自の手続は空欄")
    name = models.CharField("手続名", max_length=500)
    name_en = models.CharField("手続名 (英語)", max_length=500, blank=True)
    law = models.CharField("根拠法令", max_length=500, blank=True, help_text="法令名 + 条項")
    department = models.CharField("担当課", max_length=200, blank=True)
    receiver = models.CharField("手続の受け手", max_length=100, blank=True)
    online_status = models.CharField("オンライン化の実施状況 (国の調査)", max_length=100, blank=True)
    offered = models.BooleanField("この市で受け付ける", default=False)
    online_here = models.BooleanField("この市でオンラインで完結できる", default=False)
    online_url = models.CharField("オンライン申請の URL", max_length=500, blank=True)
    how_to_apply = models.TextField("申請先・申請方法", blank=True)
    fee = models.TextField("手数料", blank=True)
    bring = models.TextField("添付書類・持ち物", blank=True)
    processing_time = models.CharField("処理期間", max_length=200, blank=True)
    life_events = models.JSONField("ライフイベント", default=list, blank=True,
                                   help_text="棚卸調査の「手続が行われるイベント(個人)」の値のリスト")
    annual_count = models.BigIntegerField("総手続件数 (年間、全国)", null=True, blank=True)
    search_name = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    life_events_text = models.TextField(editable=False, default="",
                                        help_text="「;引越し;介護;」: life_events for filtering on every database")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "手続"
        ordering = ["-offered", models.F("annual_count").desc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["offered", "online_here"])]

    def __str__(self) -> str:
        return self.name

    def refresh_search_text(self) -> None:
        """``search_name`` / ``search_text``: ``normalize_for_search`` of the name / of name, law, department and
        life events; ``life_events_text``: the life events between ``;``."""
        self.search_name = normalize_for_search(" ".join(p for p in (self.name, self.name_en) if p))
        self.life_events_text = "".join(f";{e}" for e in self.life_events or []) + (";" if self.life_events else "")
        self.search_text = normalize_for_search(" ".join(
            p for p in (self.name, self.name_en, self.law, self.department, " ".join(self.life_events or [])) if p))

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        super().save(*args, **kwargs)
