"""Catalog metadata: Organization, Theme, Tag, Dataset, Resource, DownloadCount.

Names follow DCAT/CKAN (DESIGN.md section 3): a Dataset (dcat:Dataset, CKAN
package) has Resources (dcat:Distribution, CKAN resource); an Organization is
the publishing department (所管課); a Theme is a category (分類, CKAN group).
Tabular content of a Resource lives in the datastore (``ResourceVersion``).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from madoguchi.text import normalize_for_search

from .licenses import DEFAULT_LICENSE_ID, LICENSES, license_choices


class Organization(models.Model):
    """Publishing department (所管課); DCAT ``dct:publisher``, CKAN organization."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField("名称", max_length=200)
    description = models.TextField("説明", blank=True)
    city_code = models.CharField("全国地方公共団体コード", max_length=6, blank=True)
    email = models.EmailField("連絡先メール", blank=True)
    url = models.URLField("ウェブサイト", blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = verbose_name_plural = "所管課"

    def __str__(self) -> str:
        return self.title


class Theme(models.Model):
    """Category (分類); DCAT ``dcat:theme``, CKAN group."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField("名称", max_length=100)
    title_en = models.CharField("English name", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = verbose_name_plural = "分類"

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    """Free keyword (DCAT ``dcat:keyword``, CKAN tag), stored in NFC."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UpdateFrequency(models.TextChoices):
    """Update frequency; values are the EU/DCAT-AP frequency vocabulary ids."""

    DAILY = "DAILY", "毎日"
    WEEKLY = "WEEKLY", "毎週"
    MONTHLY = "MONTHLY", "毎月"
    QUARTERLY = "QUARTERLY", "四半期ごと"
    ANNUAL = "ANNUAL", "毎年"
    IRREGULAR = "IRREG", "不定期"
    NEVER = "NEVER", "更新なし"


class Dataset(models.Model):
    """A dataset (データセット): metadata plus its resources.

    ``search_title`` / ``search_text`` hold ``normalize_for_search`` forms of the
    title and of description + tags + column names; they are rebuilt by
    ``catalog.services.reindex_dataset`` and are what catalog search matches.
    """

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField("タイトル", max_length=300)
    description = models.TextField("説明", blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="datasets",
                                     verbose_name="所管課")
    themes = models.ManyToManyField(Theme, blank=True, related_name="datasets", verbose_name="分類")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets", verbose_name="タグ")
    license_id = models.CharField("ライセンス", max_length=50, choices=license_choices(),
                                  default=DEFAULT_LICENSE_ID)
    attribution = models.CharField("出典表記", max_length=300, blank=True)
    source_url = models.URLField("出典URL", max_length=500, blank=True)
    update_frequency = models.CharField("更新頻度", max_length=20, choices=UpdateFrequency.choices,
                                        default=UpdateFrequency.IRREGULAR)
    state = models.CharField("状態", max_length=10, default="active",
                             choices=[("active", "公開中"), ("deleted", "削除済み")],
                             help_text="削除 (CKAN package_delete) は状態を変えるだけで、データは残ります。")
    private = models.BooleanField("非公開", default=False,
                                  help_text="非公開のデータセットは職員にだけ表示されます。")
    standard = models.CharField(
        "準拠する標準", max_length=60, blank=True, db_index=True,
        help_text="自治体標準オープンデータセット等の標準 ID (madoguchi.standards)。取り込み時にこのスキーマで検証します。")
    issued = models.DateField("公開日", null=True, blank=True)
    modified = models.DateTimeField("最終更新", null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    search_title = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-modified", "title"]
        verbose_name = verbose_name_plural = "データセット"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:dataset", args=[self.slug])

    @property
    def license(self):
        return LICENSES.get(self.license_id)

    def refresh_search_title(self) -> None:
        self.search_title = normalize_for_search(self.title)


class Resource(models.Model):
    """A file of a dataset (ファイル / リソース); DCAT distribution, CKAN resource.

    ``current_version`` is the published version; changing it is the one
    metadata write that publishes a new snapshot (``datastore.services``).
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField("名前", max_length=300)
    description = models.TextField("説明", blank=True)
    format = models.CharField("形式", max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    current_version = models.ForeignKey("datastore.ResourceVersion", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="resource_unique_name")]
        verbose_name = verbose_name_plural = "リソース"

    def __str__(self) -> str:
        return f"{self.dataset.slug}/{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:resource", args=[self.dataset.slug, self.pk])


class DownloadCount(models.Model):
    """Downloads of one resource in one calendar month (Asia/Tokyo), any format."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="download_counts")
    month = models.DateField(help_text="first day of the month")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "month"], name="download_unique_month")]
        ordering = ["-month"]


class CatalogGeneration(models.Model):
    """One row whose ``value`` changes (to a new random number) with every change to catalog metadata.

    Each process keeps an in-memory search index (``catalog.index``) and
    rebuilds it when this number differs from the one it was built at; the
    signals in ``catalog.signals`` bump it inside the writing transaction.
    """

    value = models.BigIntegerField(default=0)
