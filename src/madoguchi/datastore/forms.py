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


TYPE_CHOICES = [("", "自動判定"), ("string", "文字列 (string)"), ("integer", "整数 (integer)"),
                ("number", "数値 (number)"), ("boolean", "真偽値 (boolean)"), ("date", "日付 (date)"),
                ("datetime", "日時 (datetime)"), ("time", "時刻 (time)")]


class DictionaryForm(forms.Form):
    """The data dictionary of a resource: per column (``c<i>-``) 表示名, 説明 and 型の指定.

    :param entries: ``datastore.services.data_dictionary(resource)``
    """

    blank_unfit = forms.BooleanField(label="型に合わない値を空欄にして公開する", required=False,
                                     help_text="チェックしないと、合わない値があるときは公開せず一覧を表示します。"
                                               "元のファイルはそのまま残ります。")

    def __init__(self, *args, entries: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = entries
        for i, e in enumerate(entries):
            self.fields[f"c{i}-label"] = forms.CharField(label="表示名", max_length=300, required=False,
                                                         initial=e["label"])
            self.fields[f"c{i}-notes"] = forms.CharField(label="説明", required=False, initial=e["notes"],
                                                         widget=forms.Textarea(attrs={"rows": 2, "cols": 20}))
            self.fields[f"c{i}-type_override"] = forms.ChoiceField(label="型の指定", choices=TYPE_CHOICES,
                                                                   required=False, initial=e["type_override"])

    def columns(self):
        """``[(entry, [label field, notes field, type field])]`` for the template."""
        return [(e, [self[f"c{i}-{k}"] for k in ("label", "notes", "type_override")])
                for i, e in enumerate(self.entries)]

    def changes(self) -> dict[str, dict]:
        """Column name → ``{label, notes, type_override}`` as entered (after ``is_valid``)."""
        return {e["id"]: {k: self.cleaned_data[f"c{i}-{k}"] for k in ("label", "notes", "type_override")}
                for i, e in enumerate(self.entries)}
