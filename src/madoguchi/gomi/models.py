"""Garbage sorting (ごみ分別): which published datasets a city's search reads, and
what people could not find.

A ``GarbageSource`` names a dataset (by slug) and the resources (by name) that
hold the sorting dictionary, the category descriptions and the collection days;
staff edit it in Django admin. The data themselves are never copied: they are
read from the published datastore snapshots (``gomi.book``).
"""

from __future__ import annotations

from django.db import models


class GarbageSource(models.Model):
    """One city's garbage-sorting search, configured over published datasets.

    Resource names may be blank when the dataset has no such table (no
    collection days, no category descriptions). The column fields name columns
    of the sorting dictionary, so a city's own layout (品目, 分別区分, 出し方)
    works as well as the 5374.jp layout (``name``, ``type``, ``notice``).
    """

    slug = models.SlugField("識別子", max_length=50, unique=True,
                            help_text="URL と API で使います (例 kawasaki)")
    title = models.CharField("市町村名", max_length=100, help_text="例 川崎市")
    dataset_slug = models.SlugField("データセット", max_length=100,
                                    help_text="読み込む公開データセットの識別子 (例 kawasaki-garbage-sorting)")
    items_resource = models.CharField("分別辞典のリソース名", max_length=300)
    item_column = models.CharField("品目名の列", max_length=100, default="name")
    category_column = models.CharField("分別区分の列", max_length=100, default="type")
    notes_column = models.CharField("注意事項の列", max_length=100, default="notice", blank=True)
    categories_resource = models.CharField("分別区分の説明のリソース名", max_length=300, blank=True,
                                           help_text="5374形式 description.csv (label, description)")
    areas_resource = models.CharField("収集曜日のリソース名", max_length=300, blank=True,
                                      help_text="5374形式 area_days.csv (地名, センター, 区分ごとの曜日)")
    area_groups_resource = models.CharField("区のリソース名", max_length=300, blank=True,
                                            help_text="川崎市の area_master.csv (マスター, 区名)")
    centers_resource = models.CharField("収集センターのリソース名", max_length=300, blank=True,
                                        help_text="5374形式 center.csv (名称, 休止開始日, 休止終了日)")
    enabled = models.BooleanField("公開", default=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = verbose_name_plural = "ごみ分別のデータ設定"

    def __str__(self) -> str:
        return f"{self.title} ({self.dataset_slug})"


class MissedQuery(models.Model):
    """A search that found nothing, counted per city and normalized text (for staff)."""

    source = models.ForeignKey(GarbageSource, on_delete=models.CASCADE, related_name="missed_queries",
                               verbose_name="市町村")
    normalized = models.CharField("正規化した語", max_length=100)
    text = models.CharField("入力された語 (最新)", max_length=100)
    count = models.PositiveIntegerField("回数", default=0)
    first_seen = models.DateTimeField("初回", auto_now_add=True)
    last_seen = models.DateTimeField("最終", auto_now=True)

    class Meta:
        ordering = ["-count", "-last_seen"]
        verbose_name = verbose_name_plural = "見つからなかった検索語"
        constraints = [models.UniqueConstraint(fields=["source", "normalized"], name="gomi_missed_unique")]

    def __str__(self) -> str:
        return f"{self.text} ×{self.count}"


class Synonym(models.Model):
    """An everyday word for a dictionary word (TV → テレビ, 乾電池 → 電池), edited by staff.

    A query equal to ``word`` (or containing it, on word boundaries) is also searched
    as ``target`` (``gomi.matching.rank``). Without a city it applies to every city.
    """

    source = models.ForeignKey(GarbageSource, on_delete=models.CASCADE, related_name="synonyms", null=True,
                               blank=True, verbose_name="市町村", help_text="空欄ならすべての市町村で使います")
    word = models.CharField("言い換え (入力される語)", max_length=100, help_text="例 TV、スマホ、使い捨てカイロ")
    target = models.CharField("辞典での品目名", max_length=100,
                              help_text="分別辞典にある品目名か、その一部 (例 テレビ、携帯電話)")
    builtin = models.BooleanField("初期値", default=False, editable=False,
                                  help_text="gomi/data/synonyms.csv から入れたもの")
    created = models.DateTimeField("登録", auto_now_add=True)
    updated = models.DateTimeField("更新", auto_now=True)

    class Meta:
        ordering = ["word", "target"]
        verbose_name = verbose_name_plural = "ごみ分別の言い換え"
        constraints = [models.UniqueConstraint(fields=["source", "word", "target"], name="gomi_synonym_unique")]

    def __str__(self) -> str:
        return f"{self.word} → {self.target}"
