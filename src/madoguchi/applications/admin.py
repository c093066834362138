from django.contrib import admin

from .models import Application, DepartmentMember


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(admin.ModelAdmin):
    """Who works in which department (and so may see its applications' personal data)."""

    list_display = ("user", "department")
    list_filter = ("department",)
    search_fields = ("user__username", "department")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only overview; staff work in /staff/applications/ (which writes the audit log)."""

    list_display = ("reference", "form", "status", "channel", "department", "submitted_at")
    list_filter = ("status", "channel", "department")
    search_fields = ("reference",)
    fields = ("reference", "form", "status", "channel", "department", "submitted_at", "retain_until")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
