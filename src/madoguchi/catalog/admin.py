from django.contrib import admin

from .models import Dataset, DownloadCount, Organization, Resource, Tag, Theme


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "license_id", "update_frequency", "private", "modified")
    list_filter = ("organization", "themes", "private")
    search_fields = ("title", "slug")
    filter_horizontal = ("themes", "tags")


admin.site.register([Organization, Theme, Tag, Resource, DownloadCount])
