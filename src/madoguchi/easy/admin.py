from django.contrib import admin

from .models import EasyText, RubyOverride


@admin.register(EasyText)
class EasyTextAdmin(admin.ModelAdmin):
    list_display = ["slug", "updated_at", "updated_by"]
    readonly_fields = ["updated_by"]


@admin.register(RubyOverride)
class RubyOverrideAdmin(admin.ModelAdmin):
    list_display = ["surface", "reading", "updated_at"]
    search_fields = ["surface", "reading"]
