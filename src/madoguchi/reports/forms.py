"""Forms of the reports pages. Checks beyond types are in ``services.submit_report`` (one place)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Service, ServiceRequest, Ward


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; ``clean`` returns a list (checked in ``services.process_photo``)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    service = forms.ModelChoiceField(Service.objects.filter(active=True), label=_("分類"), empty_label=_("選んでください"),
                                     to_field_name="code")
    description = forms.CharField(label=_("内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("何がどうなっているかを書いてください。個人の名前や電話番号は書かないでください。"))
    postal_code = forms.CharField(label=_("郵便番号"), required=False, max_length=10,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
                                  help_text=_("例 210-0005。住所の町名まで自動で補います。"))
    address = forms.CharField(label=_("住所・目印"), required=False, max_length=300,
                              help_text=_("例 川崎区砂子1-2 の公園入口。地図で場所を選んだときは空でもかまいません。"))
    ward = forms.ModelChoiceField(Ward.objects.all(), label=_("区"), required=False, empty_label=_("わからない"))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = MultipleFileField(label=_("写真（3 枚まで・各 10 MB まで）"), required=False,
                             widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                             help_text=_("写真の位置情報やカメラの情報は取り除いてから保存します。"))
    email = forms.EmailField(label=_("メールアドレス（任意）"), required=False,
                             help_text=_("状況が変わったときにお知らせします。公開しません。"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="状態", choices=ServiceRequest.Status.choices)
    note = forms.CharField(label="お知らせ（公開）", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label="通報者と公開ページに知らせる", required=False, initial=True)


class ModerationForm(forms.Form):
    public_description = forms.CharField(label="公開する内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                                         help_text="個人情報や不適切な表現を取り除いてください（保存時に再度自動で伏せ字にします）。")
    published = forms.BooleanField(label="この通報を公開する", required=False)


class WardUploadForm(forms.Form):
    file = forms.FileField(label="区域の GeoJSON", help_text="FeatureCollection。各地物の properties に name（区名）と department（担当課、任意）。")


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="アプリ名", max_length=100)
