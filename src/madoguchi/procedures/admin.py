from django.contrib import admin

from .models import Procedure


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "offered", "online_here", "annual_count", "updated_at")
    list_filter = ("offered", "online_here", "online_status")
    search_fields = ("name", "law", "department", "survey_id")
