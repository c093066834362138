from django.contrib import admin

from .models import Alert, Dispatch, ModeChange, Rule


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("received_at", "title", "category", "status", "info_type", "state", "source")
    list_filter = ("state", "category", "status", "source")
    search_fields = ("title", "headline", "source_name")
    readonly_fields = [f.name for f in Alert._meta.fields]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "categories", "min_intensity", "activate", "notify", "enabled")


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "rule_name", "alert", "state", "decided_by")
    list_filter = ("state",)


@admin.register(ModeChange)
class ModeChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "active", "title", "user", "rule_name", "reason")

    def has_change_permission(self, request, obj=None):  # an audit log is not edited
        return False

    def has_delete_permission(self, request, obj=None):
        return False
