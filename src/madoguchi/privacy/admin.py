from django.contrib import admin

from .models import PrivacyOverride


@admin.register(PrivacyOverride)
class PrivacyOverrideAdmin(admin.ModelAdmin):
    """The audit log: readable, never editable or deletable."""

    list_display = ("created", "dataset", "resource_name", "column", "kind", "created_by")
    list_filter = ("kind",)
    search_fields = ("dataset__slug", "column", "reason")
    readonly_fields = [f.name for f in PrivacyOverride._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
