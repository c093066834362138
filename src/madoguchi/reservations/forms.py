"""Forms of the reservation pages (labels in Japanese; validation of shapes only —
the rules live in ``services``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from .models import FacilityType, PriorityClass

WARDS = ["川崎区", "幸区", "中原区", "高津区", "宮前区", "多摩区", "麻生区"]


class RegisterForm(UserCreationForm):
    """利用者登録: a login (username = mail address) and the Member's details."""

    name = forms.CharField(label="氏名", max_length=100)
    name_kana = forms.CharField(label="ふりがな", max_length=100, required=False)
    email = forms.EmailField(label="メールアドレス（ログイン名・抽選結果の通知先）")
    ward = forms.ChoiceField(label="お住まいの区", choices=[("", "市外")] + [(w, w) for w in WARDS], required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("email",)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError("このメールアドレスはすでに登録されています")
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = user.email = self.cleaned_data["email"]
        if commit:
            user.save()
        return user


class ApplyForm(forms.Form):
    """抽選申込: as oneself or for a represented group, with a wish order."""

    applicant = forms.ChoiceField(label="申込者")
    preference = forms.IntegerField(label="希望順位（1 がいちばん希望）", min_value=1, max_value=99, required=False,
                                    help_text="空欄なら申込順です。同じ時間帯に複数当選したときに残す枠を決めます。")

    def __init__(self, *args, member=None, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("self", f"個人（{member.name}）" if member else "個人")]
        choices += [(f"group-{g.pk}", f"団体: {g.name}") for g in groups]
        self.fields["applicant"].choices = choices


class BookForm(forms.Form):
    applicant = forms.ChoiceField(label="予約者")

    def __init__(self, *args, member=None, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = ([("self", f"個人（{member.name}）" if member else "個人")]
                                            + [(f"group-{g.pk}", f"団体: {g.name}") for g in groups])


class PeriodForm(forms.Form):
    """New lottery period (staff)."""

    title = forms.CharField(label="名称", max_length=200)
    facility_types = forms.MultipleChoiceField(label="対象施設の種類", choices=FacilityType.choices,
                                               widget=forms.CheckboxSelectMultiple)
    application_opens_at = forms.DateTimeField(label="申込開始",
                                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    application_closes_at = forms.DateTimeField(label="申込締切",
                                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    draw_at = forms.DateTimeField(label="抽選日時", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    usage_starts_on = forms.DateField(label="利用期間（開始日）", widget=forms.DateInput(attrs={"type": "date"}))
    usage_ends_on = forms.DateField(label="利用期間（終了日）", widget=forms.DateInput(attrs={"type": "date"}))
    max_entries_per_individual = forms.IntegerField(label="個人の申込上限（件）", min_value=0, initial=10)
    max_entries_per_group = forms.IntegerField(label="団体の申込上限（件）", min_value=0, initial=20)
    max_outdoor_sports = forms.IntegerField(label="屋外スポーツ施設の申込上限（件、空欄 = なし）", min_value=0,
                                            required=False)
    min_group_members = forms.IntegerField(label="団体の最少登録人数（人）", min_value=0, initial=0)
    priority_classes = forms.MultipleChoiceField(
        label="優先して抽選する区分（選んだ順ではなく表示順）", required=False,
        choices=[c for c in PriorityClass.choices if c[0]], widget=forms.CheckboxSelectMultiple)
    keep_rule = forms.ChoiceField(label="同じ時間帯に複数当選したとき", choices=[
        ("preference", "希望順位がいちばん高い枠を残す"), ("earliest", "開始がいちばん早い枠を残す")])

    def rules(self) -> dict:
        d = self.cleaned_data
        rules = {k: d[k] for k in ("max_entries_per_individual", "max_entries_per_group", "min_group_members",
                                   "keep_rule")}
        rules["priority_classes"] = list(d["priority_classes"])
        rules["max_entries_per_facility_type"] = (
            {"outdoor_sports": d["max_outdoor_sports"]} if d["max_outdoor_sports"] is not None else {})
        return rules


class SlotsForm(forms.Form):
    """Generate slots (staff)."""

    start = forms.DateField(label="開始日", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="終了日", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        d = super().clean()
        if d.get("start") and d.get("end") and d["end"] < d["start"]:
            raise forms.ValidationError("終了日は開始日以後にしてください")
        return d


def parse_date(text: str | None, default: dt.date) -> dt.date:
    """A ``YYYY-MM-DD`` query parameter; ``default`` when empty, malformed or outside 2000–2099."""
    try:
        day = dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31) else default
