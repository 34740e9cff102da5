from django.contrib import admin

from jiesu.org.models import Membership, Unit


@admin.action(description="把所选的待确认社区/村并入所选的一个已确认社区/村")
def merge_communities(modeladmin, request, queryset):
    from jiesu.cases.admin import merge_selected

    merge_selected(modeladmin, request, queryset, field="community")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "active", "unconfirmed"]
    list_filter = ["kind", "active", "unconfirmed"]
    search_fields = ["name", "pinyin_initials", "code"]
    actions = [merge_communities]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
