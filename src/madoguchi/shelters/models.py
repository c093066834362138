"""Shelters (避難所・指定緊急避難場所): which published datasets are read, and which
sites staff have opened.

A ``ShelterSource`` names one resource of a published dataset and the columns
that hold a site's name, address, position and disaster flags; staff edit it in
Django admin. Sites are read from the datastore snapshots (``shelters.sites``),
never copied. ``ShelterStatus`` is the one thing staff write: a site is open
(開設中) or not, keyed by the site's 共通ID or ``<dataset>#<row>``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

#: disaster types (code, Japanese label) in the order of the GSI data (災害対策基本法施行令 第20条の4)
DISASTERS = [
    ("flood", "洪水"),
    ("landslide", "土砂災害"),
    ("storm_surge", "高潮"),
    ("earthquake", "地震"),
    ("tsunami", "津波"),
    ("fire", "大規模な火事"),
    ("inland_flood", "内水氾濫"),
    ("volcano", "火山"),
]
DISASTER_LABELS = dict(DISASTERS)


class ShelterSource(models.Model):
    """One resource of evacuation sites, and how to read its columns.

    ``disaster_columns`` maps a disaster code (``DISASTERS``) to the column(s)
    whose flag says the site is designated for it, e.g. ``{"landslide":
    ["崖崩れ、土石流及び地滑り"]}``; a flag is set when the cell, NFKC-normalized,
    is one of ``true_values`` (GSI ``1``, 焼津市 ``○``).
    """

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", "指定緊急避難場所"
        SHELTER = "shelter", "指定避難所"

    slug = models.SlugField("識別子", max_length=50, unique=True)
    title = models.CharField("名称", max_length=200, help_text="例 川崎市 指定緊急避難場所（国土地理院）")
    city = models.CharField("市町村名", max_length=50, help_text="同じ市町村の同じ名前・場所の施設は1か所にまとめます")
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    dataset_slug = models.SlugField("データセット", max_length=100)
    resource_name = models.CharField("リソース名", max_length=300)
    id_column = models.CharField("ID の列", max_length=100, blank=True, help_text="例 共通ID。空なら行番号")
    name_column = models.CharField("名称の列", max_length=100)
    address_column = models.CharField("住所の列", max_length=100)
    lat_column = models.CharField("緯度の列", max_length=100, default="latitude")
    lon_column = models.CharField("経度の列", max_length=100, default="longitude")
    disaster_columns = models.JSONField("災害種別の列", default=dict, blank=True)
    true_values = models.JSONField("該当を示す値", default=list, blank=True,
                                   help_text='例 ["1", "○"]')
    enabled = models.BooleanField("公開", default=True)
    order = models.PositiveSmallIntegerField("順序", default=0, help_text="まとめた施設の位置と ID は順序の早い方を使います")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = verbose_name_plural = "避難所のデータ設定"

    def __str__(self) -> str:
        return self.title


class ShelterStatus(models.Model):
    """Whether staff have opened a site (開設中). Published live by the API."""

    site_key = models.CharField("施設キー", max_length=200, unique=True)
    name = models.CharField("施設名 (記録時)", max_length=300, blank=True)
    is_open = models.BooleanField("開設中", default=False)
    updated = models.DateTimeField("更新", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="更新者")

    class Meta:
        ordering = ["-updated"]
        verbose_name = verbose_name_plural = "避難所の開設状況"

    def __str__(self) -> str:
        return f"{self.name or self.site_key}: {'開設中' if self.is_open else '閉鎖'}"
