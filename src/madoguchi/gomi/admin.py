from django.contrib import admin

from .models import GarbageSource, MissedQuery, Synonym


@admin.register(GarbageSource)
class GarbageSourceAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "dataset_slug", "items_resource", "areas_resource", "enabled", "order")
    list_editable = ("enabled", "order")
    search_fields = ("title", "slug", "dataset_slug")


@admin.register(MissedQuery)
class MissedQueryAdmin(admin.ModelAdmin):
    list_display = ("text", "source", "count", "first_seen", "last_seen")
    list_filter = ("source",)
    search_fields = ("text", "normalized")
    readonly_fields = ("source", "normalized", "text", "count", "first_seen", "last_seen")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("word", "target", "source", "builtin", "updated")
    list_display_links = ("word",)
    list_editable = ("target",)
    list_filter = ("source", "builtin")
    search_fields = ("word", "target")
