"""Forms of the bulky-waste pages (parsing only; rules are in ``bulky.services``)."""

from __future__ import annotations

from django import forms


class ApplyForm(forms.Form):
    area = forms.CharField(label="収集地区 (町名)", max_length=200)
    date = forms.DateField(label="収集日", error_messages={"required": "収集日を選んでください",
                                                          "invalid": "収集日を選んでください"})
    address = forms.CharField(label="住所 (収集場所)", max_length=300)
    phone = forms.RegexField(label="電話番号", regex=r"^[0-9０-９\-－ ()（）+]{10,20}$", max_length=20,
                             error_messages={"invalid": "電話番号は10〜13桁の数字で入力してください"})
    email = forms.EmailField(label="メールアドレス", max_length=254)
    tickets = forms.CharField(label="処理券番号", max_length=2000, widget=forms.Textarea)


class TiersForm(forms.Form):
    tiers = forms.JSONField(label="大きさ別の料金 (JSON)", required=False)
    yen = forms.IntegerField(label="料金 (円)", min_value=0, required=False)
    reviewed = forms.BooleanField(label="確認済みにする", required=False)
