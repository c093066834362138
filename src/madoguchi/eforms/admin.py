from django.contrib import admin

from .models import Form, FormVersion


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    readonly_fields = ("number", "definition", "created_at", "created_by")
    can_delete = False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "department", "published", "opens_at", "closes_at")
    list_filter = ("published", "kind")
    search_fields = ("slug", "title", "department")
    inlines = [FormVersionInline]
    raw_id_fields = ("procedure",)
