from django import forms
from django.utils.translation import gettext_lazy as _

from .detectors import BLOCKING_KINDS
from .suppression import DEFAULT_K, DEFAULT_SYMBOL


class OverrideForm(forms.Form):
    """One finding's override: the staff member states why the column may be published."""

    column = forms.CharField(widget=forms.HiddenInput, max_length=300)
    kind = forms.ChoiceField(widget=forms.HiddenInput, choices=[(k, k) for k in BLOCKING_KINDS])
    reason = forms.CharField(label="公開してよい理由（根拠となる法令・規程、本人の同意など）", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="例：食品衛生法に基づく公表事項、医療法第6条の3により公表される事項",
                             error_messages={"required": "理由を入力してください"})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("理由を入力してください")
        return reason


class SuppressionForm(forms.Form):
    k = forms.IntegerField(label=_("しきい値 k（この値未満のセルを秘匿）"), min_value=1, max_value=1000, initial=DEFAULT_K)
    label_columns = forms.IntegerField(label=_("見出し（ラベル）列の数"), min_value=0, max_value=50, required=False,
                                       help_text=_("空欄なら先頭の数値でない列を自動で判定します"))
    symbol = forms.CharField(label=_("秘匿の記号"), max_length=5, initial=DEFAULT_SYMBOL)
