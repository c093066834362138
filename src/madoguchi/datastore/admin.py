from django.contrib import admin

from .models import IngestJob, ResourceVersion


@admin.register(ResourceVersion)
class ResourceVersionAdmin(admin.ModelAdmin):
    list_display = ("resource", "number", "format", "encoding", "row_count", "created")
    readonly_fields = [f.name for f in ResourceVersion._meta.fields]


admin.site.register(IngestJob)
