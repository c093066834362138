"""The citizen flow's own small forms (the application's fields come from ``eforms.services.build_form``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("メールアドレス"), max_length=254,
                             help_text=_("確認コードと、受付のお知らせをこのアドレスに送ります。"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("確認コード（6桁の数字）"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("受付番号"), max_length=20, help_text=_("例: 2026-ACDE-3467"),
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    secret = forms.CharField(label=_("確認コード"), max_length=40,
                             help_text=_("申請の完了画面に表示された確認コード（例: ACDE-3467-FGHJ）"),
                             widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("取下げの理由（任意）"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
