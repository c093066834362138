from django.contrib import admin

from .models import CommunityGroup, Event, EventFeed


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "start_date", "end_date", "state", "origin", "group", "feed", "area", "category")
    list_filter = ("state", "origin", "category", "group", "feed")
    search_fields = ("title", "title_kana", "place_name", "address")
    date_hierarchy = "start_date"
    readonly_fields = ("dedup_key", "created", "modified", "submitted_at", "published_at")


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "email")
    filter_horizontal = ("members",)


@admin.register(EventFeed)
class EventFeedAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "format", "active", "last_fetched", "last_ok")
    readonly_fields = ("last_fetched", "last_ok", "last_message", "last_counts")
