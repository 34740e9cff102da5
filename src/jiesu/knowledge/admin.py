from django.contrib import admin

from jiesu.knowledge.models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "community", "unit", "updated_by", "updated_at"]
    list_filter = ["unit"]
