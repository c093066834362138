from django.contrib import admin

from .models import ShelterSource, ShelterStatus


@admin.register(ShelterSource)
class ShelterSourceAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "city", "kind", "dataset_slug", "resource_name", "enabled", "order")
    list_editable = ("enabled", "order")
    list_filter = ("city", "kind", "enabled")
    search_fields = ("title", "slug", "dataset_slug")


@admin.register(ShelterStatus)
class ShelterStatusAdmin(admin.ModelAdmin):
    list_display = ("name", "site_key", "is_open", "updated", "updated_by")
    list_filter = ("is_open",)
    search_fields = ("name", "site_key")
    readonly_fields = ("updated", "updated_by")
