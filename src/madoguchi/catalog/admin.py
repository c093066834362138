from django.contrib import admin
from django.db import models

from .forms import DatasetForm
from .models import Dataset, DownloadCount, Organization, Resource, Tag, Theme


#: URLs typed without a scheme are https (Django 6.0's default, chosen now)
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    form = DatasetForm
    formfield_overrides = HTTPS_URLS
    list_display = ("title", "organization", "license_id", "update_frequency", "standard", "private", "modified")
    list_filter = ("organization", "themes", "private", "standard")
    search_fields = ("title", "slug")
    filter_horizontal = ("themes", "tags")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS


admin.site.register([Theme, Tag, Resource, DownloadCount])
