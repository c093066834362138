from django.contrib import admin

from .models import ApiKey, Service, ServiceRequest, Ward


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "department", "active")


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("name", "department")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "service", "status", "department", "published", "requested_at")
    list_filter = ("status", "published", "service")
    exclude = ("email",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created", "last_used")
    readonly_fields = ("key_hash",)
