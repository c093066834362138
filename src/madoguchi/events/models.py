"""Events (イベント一覧): community groups, events, and neighbouring cities' feeds.

Field names follow the Digital Agency's standard event dataset
(自治体標準オープンデータセット「イベント一覧」, and its predecessor 推奨データセット
06_イベント一覧); ``standard.py`` maps every standard column to a field. Dates
are ``DateField``; times are ``TimeField`` and ``None`` when not known (the
files write ``0:00`` for "unknown"); money in yen.

An event is published only in state ``published`` (``Event.State``); events
of a registered ``CommunityGroup`` pass staff review first (``services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class CommunityGroup(models.Model):
    """A registered community group (登録団体) whose members may submit events for review."""

    name = models.CharField("団体名", max_length=200, unique=True)
    description = models.TextField("説明", blank=True)
    email = models.EmailField("連絡先メール", blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="community_groups",
                                     verbose_name="メンバー")
    active = models.BooleanField("有効", default=True, help_text="無効にすると投稿できなくなります。")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "登録団体"

    def __str__(self) -> str:
        return self.name


class EventFeed(models.Model):
    """A neighbouring city's event feed (広域連携): a URL of a CSV in the standard layout or of an iCalendar file.

    Fetched by ``services.refresh_feed``; the last outcome is kept for staff.
    """

    class Format(models.TextChoices):
        AUTO = "auto", "自動判定"
        CSV = "csv", "標準データセット CSV"
        ICAL = "ical", "iCalendar"

    name = models.CharField("名称（提供元）", max_length=200, help_text="例: 藤枝市 イベント一覧")
    url = models.URLField("URL", max_length=1000, unique=True)
    format = models.CharField("形式", max_length=10, choices=Format.choices, default=Format.AUTO)
    active = models.BooleanField("取り込む", default=True)
    last_fetched = models.DateTimeField("最終取得", null=True, blank=True)
    last_ok = models.BooleanField("最終取得の成否", null=True, blank=True)
    last_message = models.TextField("最終取得の結果", blank=True)
    last_counts = models.JSONField(default=dict, blank=True,
                                   help_text="{read, merged, duplicates, unreadable}")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "近隣自治体のイベントフィード"

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One event (イベント). Columns of the standard layout, plus review state and origin."""

    class State(models.TextChoices):
        DRAFT = "draft", "下書き"
        SUBMITTED = "submitted", "審査待ち"
        PUBLISHED = "published", "公開中"
        REJECTED = "rejected", "差戻し"

    class Origin(models.TextChoices):
        STAFF = "staff", "職員入力"
        GROUP = "group", "登録団体"
        IMPORT = "import", "標準データセット取込"
        FEED = "feed", "近隣自治体"

    # 管理主体
    city_code = models.CharField("全国地方公共団体コード", max_length=6, blank=True)
    corporate_number = models.CharField("法人番号", max_length=13, blank=True)
    source_id = models.CharField("ID", max_length=100, blank=True, help_text="提供元でのイベントの ID (NO)")
    city_name = models.CharField("地方公共団体名", max_length=100, blank=True)
    # 名称
    title = models.CharField("イベント名", max_length=300)
    title_kana = models.CharField("イベント名_カナ", max_length=300, blank=True)
    title_en = models.CharField("イベント名_英語", max_length=300, blank=True)
    language_code = models.CharField("言語コード", max_length=10, blank=True, default="ja")
    subtitle = models.CharField("サブタイトル", max_length=300, blank=True)
    content_url = models.URLField("コンテンツURL", max_length=1000, blank=True)
    keywords = models.CharField("キーワード", max_length=500, blank=True, help_text="「;」区切り")
    # 日時
    start_date = models.DateField("開始日")
    end_date = models.DateField("終了日")
    start_time = models.TimeField("開始時間", null=True, blank=True, help_text="空欄 = 未定・終日")
    end_time = models.TimeField("終了時間", null=True, blank=True)
    datetime_notes = models.CharField("開始日時特記事項", max_length=500, blank=True)
    listed_from = models.DateField("掲載開始日", null=True, blank=True)
    listed_until = models.DateField("掲載終了日", null=True, blank=True, help_text="空欄 = 期限なし")
    # 内容
    summary = models.TextField("概要", blank=True)
    description = models.TextField("説明", blank=True)
    category = models.CharField("イベントジャンル", max_length=100, blank=True)
    event_type = models.CharField("イベント種類", max_length=100, blank=True)
    fee_basic = models.PositiveIntegerField("料金(基本)（円）", null=True, blank=True)
    fee_details = models.CharField("料金(詳細)", max_length=500, blank=True)
    target = models.CharField("対象者", max_length=300, blank=True)
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    capacity_notes = models.CharField("定員備考", max_length=300, blank=True)
    # 連絡先・主催
    contact_name = models.CharField("連絡先名称", max_length=300, blank=True)
    contact_phone = models.CharField("連絡先電話番号", max_length=50, blank=True)
    contact_extension = models.CharField("連絡先内線番号", max_length=20, blank=True)
    organizer = models.CharField("主催者", max_length=300, blank=True)
    co_organizers = models.CharField("共催団体", max_length=300, blank=True)
    # 場所
    place_name = models.CharField("場所名称", max_length=500, blank=True)
    address = models.CharField("所在地_連結表記（住所）", max_length=500, blank=True)
    building = models.CharField("建物名等(方書)", max_length=300, blank=True)
    area = models.CharField("区・地域", max_length=100, blank=True,
                            help_text="区名や地区名（絞り込みに使います）。空欄なら住所から区名を取ります。")
    latitude = models.FloatField("緯度", null=True, blank=True)
    longitude = models.FloatField("経度", null=True, blank=True)
    access = models.TextField("アクセス方法", blank=True)
    parking = models.CharField("駐車場情報", max_length=500, blank=True)
    # 申込
    application_deadline = models.DateField("参加申込終了日", null=True, blank=True)
    application_deadline_time = models.TimeField("参加申込終了時間", null=True, blank=True)
    application_method = models.TextField("参加申込方法", blank=True)
    application_url = models.URLField("申込URL", max_length=1000, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    notes = models.TextField("備考", blank=True)
    # 審査・出所
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    origin = models.CharField("入力元", max_length=10, choices=Origin.choices, default=Origin.STAFF)
    group = models.ForeignKey(CommunityGroup, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="events", verbose_name="登録団体")
    feed = models.ForeignKey(EventFeed, null=True, blank=True, on_delete=models.CASCADE, related_name="events",
                             verbose_name="フィード")
    review_note = models.TextField("差戻し理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    dedup_key = models.CharField(max_length=900, editable=False, db_index=True, default="",
                                 help_text="正規化したイベント名|開始日時|場所名称（重複判定）")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["start_date", "start_time", "title", "pk"]
        indexes = [models.Index(fields=["state", "start_date", "end_date"], name="event_state_dates")]
        verbose_name = verbose_name_plural = "イベント"

    def __str__(self) -> str:
        return f"{self.title}（{self.start_date}）"

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def all_day(self) -> bool:
        """No start time known: shown and exported as an all-day (date) event."""
        return self.start_time is None

    @property
    def source_name(self) -> str:
        """Who published it: the feed's name for merged events, else the city name (or 本市)."""
        if self.feed_id:
            return self.feed.name
        return self.city_name or "本市"
