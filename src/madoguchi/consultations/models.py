"""Public comment (パブリックコメント, issue #16): a consultation (案件), the letters received (Submission) and the
opinions in them (Opinion), the opinions grouped under one summary with the city's answer and its class
(OpinionGroup, AnswerClass), and the result's review history (ResultEvent).

Personal data: a Submission keeps the sender's name and contact (never published; staff need them to reply).
What is published is ``OpinionGroup.summary_public``: the summary after the privacy scan
(``privacy.services.mask_personal_text``), fixed when the result is published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop


class AnswerClass(models.Model):
    """One class of the city's answer scheme (Kawasaki: A 反映 … E その他); data, so each city sets its own."""

    code = models.CharField("記号", max_length=4, unique=True)
    label = models.CharField("区分名", max_length=40)
    description = models.CharField("説明", max_length=200)
    reflected = models.BooleanField("案に反映したもの", default=False,
                                    help_text="KPI「反映した意見の割合」に数える区分")
    order = models.PositiveSmallIntegerField("並び順", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = "対応区分"

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Channel(models.Model):
    """How opinions arrive (インターネット, 電子メール, FAX, 郵送, 持参 …); ``web`` marks the public form's."""

    name = models.CharField("提出方法", max_length=40, unique=True)
    web = models.BooleanField("ウェブの意見フォーム", default=False)
    order = models.PositiveSmallIntegerField("並び順", default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = verbose_name_plural = "提出方法"

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """A call for opinions on a draft (案件). Shown to the public once ``announced``; open between
    ``starts_at`` and ``ends_at`` (aware datetimes, Asia/Tokyo in the UI)."""

    class ResultState(models.TextChoices):
        # gettext_noop: the labels stay Japanese (no migration); a page shows them with {% translate %}
        DRAFT = "draft", gettext_noop("作成中")
        REVIEW = "review", gettext_noop("確認待ち")
        APPROVED = "approved", gettext_noop("承認済み")
        PUBLISHED = "published", gettext_noop("公表済み")

    slug = models.SlugField("URL 名", max_length=80, unique=True)
    title = models.CharField("案件名", max_length=200)
    department = models.CharField("担当課", max_length=200)
    summary = models.TextField("案の概要（やさしい日本語）", help_text="市民向けの短い説明。専門用語を避けて書きます。")
    starts_at = models.DateTimeField("募集開始")
    ends_at = models.DateTimeField("募集終了")
    channels = models.ManyToManyField(Channel, verbose_name="提出方法", blank=True)
    #: where the call was announced, one medium a line (市政だより, 市ホームページ …)
    announced_via = models.TextField("周知方法", blank=True, help_text="1 行に 1 つ")
    announced = models.BooleanField("公開する", default=False, help_text="チェックすると案件が市民に表示されます")
    outcome = models.TextField("結果（案の扱い）", blank=True)
    result_state = models.CharField("結果の状態", max_length=10, choices=ResultState.choices,
                                    default=ResultState.DRAFT)
    result_published_at = models.DateTimeField("結果公表日時", null=True, blank=True)
    source = models.CharField("出典", max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = verbose_name_plural = "意見募集"

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.announced and self.starts_at <= now < self.ends_at

    @property
    def result_published(self) -> bool:
        return self.result_state == self.ResultState.PUBLISHED

    def media(self) -> list[str]:
        return [line.strip() for line in self.announced_via.splitlines() if line.strip()]


class Document(models.Model):
    """A draft document of a consultation: an uploaded file or a link."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("資料名", max_length=200)
    file = models.FileField("ファイル", upload_to="consultations/documents/%Y/", blank=True)
    url = models.URLField("リンク", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def href(self) -> str:
        return self.file.url if self.file else self.url


class Submission(models.Model):
    """One letter (web form, mail, FAX, post, in person); holds one or more opinions. Contact data is
    never published."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="submissions")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, verbose_name="提出方法")
    received_on = models.DateField("受付日")
    name = models.CharField("氏名", max_length=100, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    consent = models.BooleanField("取扱いへの同意", default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.received_on} {self.channel}"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="consultations/attachments/%Y/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()


class OpinionGroup(models.Model):
    """Opinions that say the same thing: one summary (意見の要旨), the city's answer (市の考え方) and its class.
    ``number`` is the row number in the published table."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveIntegerField("番号")
    summary = models.TextField("意見の要旨")
    answer = models.TextField("市の考え方", blank=True)
    answer_class = models.ForeignKey(AnswerClass, null=True, blank=True, on_delete=models.PROTECT,
                                     verbose_name="対応区分")
    keep_unmasked = models.BooleanField(
        "個人情報でないことを確認済み", default=False,
        help_text="プライバシー検査が人名などと判定した語が個人情報でない (作品名など) 場合にだけチェックします")
    summary_public = models.TextField("公表する要旨", blank=True)
    masked_kinds = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["number", "id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="consultation_group_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.summary[:40]}"


class Opinion(models.Model):
    """One opinion as the sender wrote it (never published as is)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="opinions")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="opinions")
    text = models.TextField("意見")
    group = models.ForeignKey(OpinionGroup, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="opinions")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission__received_on", "submission_id", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ResultEvent(models.Model):
    """History of a consultation's result: each state change and edit, who and when."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
