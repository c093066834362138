"""Registered users (利用者): individuals (Member) and groups (Group) of members."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PriorityClass(models.TextChoices):
    """Priority classes a lottery period may rank first (its published rules decide)."""

    NONE = "", "一般"
    DISABILITY = "disability", "障害者スポーツ・福祉団体"
    YOUTH = "youth", "青少年団体"
    CITY = "city", "市・区の主催事業"


class Member(models.Model):
    """A registered person (個人利用者). 利用者番号 = ``pk``.

    One person, one Member: the city checks identity at registration; the
    draw's rule "one person enters through at most one group" relies on it.
    ``user`` is the login (Django auth), empty for members known only on paper.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="reservation_member")
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("ふりがな", max_length=100, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    ward = models.CharField("居住区", max_length=20, blank=True, help_text="市外は空欄")
    priority_class = models.CharField("優先区分", max_length=20, choices=PriorityClass.choices, blank=True,
                                      default=PriorityClass.NONE)
    active = models.BooleanField("有効", default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "利用者"

    def __str__(self) -> str:
        return f"{self.name}（利用者番号 {self.pk}）"


class Group(models.Model):
    """A registered group (団体利用者): a representative and registered members. 団体番号 = ``pk``."""

    name = models.CharField("団体名", max_length=200)
    representative = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="represented_groups",
                                       verbose_name="代表者")
    members = models.ManyToManyField(Member, through="GroupMembership", related_name="groups",
                                     verbose_name="登録メンバー")
    priority_class = models.CharField("優先区分", max_length=20, choices=PriorityClass.choices, blank=True,
                                      default=PriorityClass.NONE)
    active = models.BooleanField("有効", default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "団体"

    def __str__(self) -> str:
        return f"{self.name}（団体番号 {self.pk}）"


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="membership_unique")]
        verbose_name = verbose_name_plural = "団体の登録メンバー"
