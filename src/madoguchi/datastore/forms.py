from django import forms
from django.conf import settings

from madoguchi.catalog.models import Dataset


class UploadForm(forms.Form):
    """Staff upload: a file for a resource of a dataset (new or existing)."""

    dataset = forms.ModelChoiceField(Dataset.objects.order_by("title"), label="データセット")
    resource_name = forms.CharField(label="リソース名", max_length=300, required=False,
                                    help_text="同じ名前のリソースがあれば新しい版になります。空欄ならファイル名。")
    file = forms.FileField(label="ファイル", help_text="CSV, XLSX, GeoJSON, JSON (PDF などは表にせず保存)")
    sheet = forms.CharField(label="シート (XLSX)", required=False, help_text="名前か番号。空欄なら最初のシート")
    json_path = forms.CharField(label="配列の位置 (JSON)", required=False, help_text="例: menus")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"ファイルが大きすぎます (上限 {settings.MAX_UPLOAD_BYTES // 2**20} MB)")
        return f
