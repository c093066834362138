"""Django admin for plans: read-only, because every change must go through ``plans.services``
(and so into the audit log). Staff edit plans at ``/plans/staff/``."""

from django.contrib import admin

from .models import Actual, AuditLogEntry, Evaluation, Indicator, Measure, Plan, Policy, PolicyArea, Target


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "kind", "start_year", "end_year", "parent")
    search_fields = ("name", "slug")


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "plan")
    list_filter = ("plan",)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "policy", "unit", "baseline_year", "baseline_value", "metric_id")
    list_filter = ("policy__plan",)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("policy", "year", "progress_grade", "suggested_progress_grade", "direction_grade")


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "model", "object_repr", "plan")
    list_filter = ("action", "model", "plan")


admin.site.register([PolicyArea, Measure, Target, Actual], ReadOnlyAdmin)
