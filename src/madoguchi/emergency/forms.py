"""Staff forms of emergency mode."""

from __future__ import annotations

from django import forms

from .jma import CATEGORY_LABELS
from .models import Rule


class ModeForm(forms.Form):
    active = forms.TypedChoiceField(label="切替", choices=[("1", "緊急モードにする"), ("0", "通常に戻す")],
                                    coerce=lambda v: v == "1")
    title = forms.CharField(label="見出し（緊急モードにするとき）", max_length=200, required=False)
    message = forms.CharField(label="お知らせ（任意）", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label="理由（記録に残ります）", widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label="気象庁防災情報XML のファイル")


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["name", "categories", "kind_names", "min_intensity", "area_codes", "activate", "notify", "enabled"]
        widgets = {"kind_names": forms.Textarea(attrs={"rows": 3}), "area_codes": forms.Textarea(attrs={"rows": 3})}

    def clean_categories(self) -> str:
        value = self.cleaned_data["categories"]
        unknown = [c for c in Rule._lines(value) if c not in CATEGORY_LABELS]
        if unknown:
            raise forms.ValidationError("知らない種類です: " + "、".join(unknown) + "。次のどれかです: "
                                        + "、".join(f"{k}（{v}）" for k, v in CATEGORY_LABELS.items()))
        return value

    def clean(self):
        data = super().clean()
        if not (data.get("kind_names") or "").strip() and not data.get("min_intensity"):
            raise forms.ValidationError("警報等の名前か震度のどちらかを指定してください")
        return data
