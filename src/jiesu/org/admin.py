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
    """Grants; one with 生效/失效时间 (a cover, a shift) reaches nothing outside them."""

    list_display = ["user", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
