"""Admin for configuration only. Cases are not in the admin: they change only through the
workflow, and their personal data is shown only masked or through a logged reveal.
The merge of 待确认 communities moves cases, so it is registered here onto org's Unit admin
(org knows nothing of cases)."""

from django.contrib import admin, messages

from jiesu.cases.errors import InvalidInput
from jiesu.cases.models import Category, DeadlinePolicy, Tag
from jiesu.cases.services import merge_unconfirmed
from jiesu.org.admin import UnitAdmin


@admin.action(description="把所选的待确认分类并入所选的一个已确认分类")
def merge_categories(modeladmin, request, queryset):
    merge_selected(modeladmin, request, queryset, field="category")


@admin.action(description="把所选的待确认社区/村并入所选的一个已确认社区/村")
def merge_communities(modeladmin, request, queryset):
    merge_selected(modeladmin, request, queryset, field="community")


UnitAdmin.actions = [*UnitAdmin.actions, merge_communities]


def merge_selected(modeladmin, request, queryset, *, field):
    """Exactly one confirmed target among the selection; the 待确认 rest merge into it."""
    targets = [item for item in queryset if not item.unconfirmed]
    if len(targets) != 1:
        modeladmin.message_user(
            request, "请同时勾选一个已确认的目标和要并入的待确认项。", messages.ERROR
        )
        return
    try:
        moved = merge_unconfirmed([i for i in queryset if i.unconfirmed], targets[0], field=field)
    except InvalidInput as err:
        modeladmin.message_user(request, err.message, messages.ERROR)
        return
    modeladmin.message_user(request, f"已并入“{targets[0]}”,{moved} 件工单随之更新。")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "level", "unconfirmed", "needs_approval"]
    list_filter = ["unconfirmed", "level", "needs_approval"]
    search_fields = ["name", "full_name"]
    actions = [merge_categories]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "needs_approval"]
    list_filter = ["needs_approval"]
    search_fields = ["name"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "sign_minutes",
        "dispatch_minutes",
        "return_minutes",
        "ordinary_days",
        "due_soon_share",
        "day_mode",
    ]
