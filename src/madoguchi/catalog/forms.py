"""The dataset form of staff (the staff page ``/staff/datasets/new/`` and Django admin use the same one).

It refuses to publish a dataset without a description (``services.publication_errors``) and to make a
private dataset public while the privacy gate has unresolved findings.
"""

from __future__ import annotations

import copy

from django import forms
from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .models import Dataset
from .services import publication_errors


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # URLs typed without a scheme are https
    return field.formfield(**kwargs)


class DatasetForm(forms.ModelForm):
    """A dataset's catalog record (all fields by default; the staff page uses ``STAFF_FIELDS``)."""

    class Meta:
        model = Dataset
        fields = "__all__"
        formfield_callback = _https_urls

    def clean(self):
        from madoguchi.privacy.services import unresolved_findings

        cleaned = super().clean()
        candidate = copy.copy(self.instance)  # the instance gets the form's values only after clean()
        candidate.private = cleaned.get("private", candidate.private)
        candidate.description = cleaned.get("description", candidate.description) or ""
        for message in publication_errors(candidate):
            self.add_error("description", message)
        if self.instance.pk and self.instance.private and not cleaned.get("private", True):
            blocking = unresolved_findings(self.instance)
            if blocking:
                raise forms.ValidationError([
                    _("個人情報の可能性がある列があるため公開できません: %(resource)s / %(column)s (%(kind)s)。"
                      "理由を記録して承認 (madoguchi privacy-override または取り込み画面) してから公開してください。")
                    % {"resource": f["resource"], "column": f["column"], "kind": f["kind"]}
                    for f in blocking])
        return cleaned


STAFF_FIELDS = ["title", "slug", "organization", "description", "themes", "license_id", "attribution",
                "source_url", "update_frequency", "private"]


class StaffDatasetForm(DatasetForm):
    """What staff fill in to create a dataset without Django admin; tags and dates come later."""

    class Meta(DatasetForm.Meta):
        fields = STAFF_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "themes": forms.CheckboxSelectMultiple}
        labels = {"title": gettext_lazy("タイトル"),
                  "organization": gettext_lazy("所管課"), "description": gettext_lazy("説明"),
                  "themes": gettext_lazy("分類"), "license_id": gettext_lazy("ライセンス"),
                  "attribution": gettext_lazy("出典表記"), "source_url": gettext_lazy("出典URL"),
                  "update_frequency": gettext_lazy("更新頻度"), "private": gettext_lazy("非公開")}
        help_texts = {"slug": gettext_lazy("URL に使う英数字の名前 (例: population-by-ward)。あとから変えられません。"),
                      "description": gettext_lazy("公開には説明が必要です。何のデータか、いつ時点か、出典を書いてください。"),
                      "private": gettext_lazy("チェックすると職員だけが見られます。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if get_language() == "en":  # the themes' English names on an English page (Theme.title_en)
            self.fields["themes"].label_from_instance = lambda theme: theme.title_en or theme.title
