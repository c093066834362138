from django.contrib import admin

from .models import Counter, CounterReading, Office


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order", "token_created")
    readonly_fields = ("token_created",)
    inlines = [CounterInline]


@admin.register(CounterReading)
class CounterReadingAdmin(admin.ModelAdmin):
    list_display = ("counter", "recorded_at", "waiting", "calling", "source")
    list_filter = ("source", "counter__office")
    date_hierarchy = "recorded_at"

    def has_change_permission(self, request, obj=None):
        return False  # readings are kept as reported
