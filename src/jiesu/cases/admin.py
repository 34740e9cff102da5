"""Admin for configuration only. Cases are not in the admin: they change only through the
workflow, and their personal data is shown only masked or through a logged reveal."""

from django.contrib import admin

from jiesu.cases.models import Category, DeadlinePolicy, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "level"]
    search_fields = ["name", "full_name"]


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
