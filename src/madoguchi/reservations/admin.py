"""Django admin for reservation data. Seeds are never shown here; draws run from the staff pages."""

from django.contrib import admin

from .models import (BookableUnit, Booking, Cancellation, Facility, Group, GroupMembership, LotteryEntry,
                     LotteryPeriod, LotteryResult, Member, NoShow, Slot)


class UnitInline(admin.TabularInline):
    model = BookableUnit
    extra = 0


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "facility_type", "ward", "holiday_rule", "active")
    list_filter = ("facility_type", "ward", "active")
    search_fields = ("name", "slug")
    inlines = [UnitInline]


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    raw_id_fields = ("member",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("pk", "name", "representative", "priority_class", "active")
    search_fields = ("name",)
    raw_id_fields = ("representative",)
    inlines = [MembershipInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("pk", "name", "ward", "priority_class", "active")
    search_fields = ("name", "name_kana", "email")
    raw_id_fields = ("user",)


@admin.register(LotteryPeriod)
class LotteryPeriodAdmin(admin.ModelAdmin):
    """Created on the staff page (which commits the seed); here read-mostly."""

    list_display = ("title", "application_opens_at", "application_closes_at", "draw_at", "drawn_at")
    readonly_fields = ("seed_sha256", "seed_committed_at", "seed_revealed_at", "drawn_at", "entries_sha256")
    exclude = ("seed_hex", "pseudonym_salt")

    def has_add_permission(self, request):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("pk", "unit", "start", "member", "group", "source", "status")
    list_filter = ("source", "status")
    raw_id_fields = ("unit", "slot", "member", "group")


@admin.register(LotteryEntry)
class LotteryEntryAdmin(admin.ModelAdmin):
    list_display = ("pk", "period", "slot", "member", "group", "status")
    list_filter = ("status", "period")
    raw_id_fields = ("slot", "member", "group")


admin.site.register([Slot, LotteryResult, Cancellation, NoShow])
