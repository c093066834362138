from django import forms
from django.contrib import admin

from .models import Dataset, DownloadCount, Organization, Resource, Tag, Theme


class DatasetAdminForm(forms.ModelForm):
    """Refuses to make a private dataset public while the privacy gate has unresolved findings."""

    class Meta:
        model = Dataset
        fields = "__all__"

    def clean(self):
        from madoguchi.privacy.services import unresolved_findings

        cleaned = super().clean()
        if self.instance.pk and self.instance.private and not cleaned.get("private", True):
            blocking = unresolved_findings(self.instance)
            if blocking:
                raise forms.ValidationError([
                    f"個人情報の可能性がある列があるため公開できません: {f['resource']} / {f['column']} ({f['kind']})。"
                    "理由を記録して承認 (madoguchi privacy-override または取り込み画面) してから公開してください。"
                    for f in blocking])
        return cleaned


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    form = DatasetAdminForm
    list_display = ("title", "organization", "license_id", "update_frequency", "standard", "private", "modified")
    list_filter = ("organization", "themes", "private", "standard")
    search_fields = ("title", "slug")
    filter_horizontal = ("themes", "tags")


admin.site.register([Organization, Theme, Tag, Resource, DownloadCount])
