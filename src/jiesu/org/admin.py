from django.contrib import admin

from jiesu.org.models import Membership, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units; cases.admin adds the action that merges 待确认 communities (it moves cases)."""

    list_display = ["name", "kind", "parent", "code", "active", "unconfirmed"]
    list_filter = ["kind", "active", "unconfirmed"]
    search_fields = ["name", "pinyin_initials", "code"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
