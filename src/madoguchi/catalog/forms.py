"""The dataset form of staff (the staff page ``/staff/datasets/new/`` and Django admin use the same one).

It refuses to publish a dataset without a description (``services.publication_errors``) and to make a
private dataset public while the privacy gate has unresolved findings.
"""

from __future__ import annotations

import copy

from django import forms
from django.db import models

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
                    f"個人情報の可能性がある列があるため公開できません: {f['resource']} / {f['column']} ({f['kind']})。"
                    "理由を記録して承認 (madoguchi privacy-override または取り込み画面) してから公開してください。"
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
        help_texts = {"slug": "URL に使う英数字の名前 (例: population-by-ward)。あとから変えられません。",
                      "description": "公開には説明が必要です。何のデータか、いつ時点か、出典を書いてください。",
                      "private": "チェックすると職員だけが見られます。"}
