"""Admin for configuration only. Cases are not in the admin: they change only through the
workflow, and their personal data is shown only masked or through a logged reveal."""

from django.contrib import admin, messages

from jiesu.cases.models import Category, DeadlinePolicy, Tag


@admin.action(description="把所选的待确认分类并入所选的一个已确认分类")
def merge_categories(modeladmin, request, queryset):
    merge_selected(modeladmin, request, queryset, field="category")


def merge_selected(modeladmin, request, queryset, *, field):
    """Exactly one confirmed target among the selection; the 待确认 rest merge into it."""
    from jiesu.cases.errors import InvalidInput
    from jiesu.intake.merge import merge

    targets = [item for item in queryset if not item.unconfirmed]
    if len(targets) != 1:
        modeladmin.message_user(
            request, "请同时勾选一个已确认的目标和要并入的待确认项。", messages.ERROR
        )
        return
    try:
        moved = merge([i for i in queryset if i.unconfirmed], targets[0], field=field)
    except InvalidInput as err:
        modeladmin.message_user(request, err.message, messages.ERROR)
        return
    modeladmin.message_user(request, f"已并入“{targets[0]}”,{moved} 件工单随之更新。")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "level", "unconfirmed"]
    list_filter = ["unconfirmed", "level"]
    search_fields = ["name", "full_name"]
    actions = [merge_categories]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
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
