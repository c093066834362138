from django.contrib import admin

from .models import Area, Delivery, Notice, Subscription, Topic, WebhookRecord


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "active", "order")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("pk", "channel", "verified", "created")
    list_filter = ("channel", "verified")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "topic", "state", "source", "created")
    list_filter = ("state", "topic")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notice", "channel", "status", "reason", "sent_at")
    list_filter = ("channel", "status")


@admin.register(WebhookRecord)
class WebhookRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "remote_addr", "reason", "body_bytes")
