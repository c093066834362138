import copy

from django import forms
from django.contrib import admin
from django.db import models

from .models import Dataset, DownloadCount, Organization, Resource, Tag, Theme
from .services import publication_errors


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class DatasetAdminForm(forms.ModelForm):
    """Refuses to publish a dataset without a description (``services.publication_errors``) and to make a
    private dataset public while the privacy gate has unresolved findings."""

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


#: URLs typed without a scheme are https (Django 6.0's default, chosen now)
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    form = DatasetAdminForm
    formfield_overrides = HTTPS_URLS
    list_display = ("title", "organization", "license_id", "update_frequency", "standard", "private", "modified")
    list_filter = ("organization", "themes", "private", "standard")
    search_fields = ("title", "slug")
    filter_horizontal = ("themes", "tags")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS


admin.site.register([Theme, Tag, Resource, DownloadCount])
