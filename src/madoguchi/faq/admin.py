from django.contrib import admin

from .models import Inquiry, QaEntry, Synonym


@admin.register(QaEntry)
class QaEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "department", "state", "updated")
    list_filter = ("state", "category")
    search_fields = ("question", "answer")


admin.site.register(Synonym)
admin.site.register(Inquiry)
