from django.contrib import admin

from jiesu.assessment.models import Application, ExemptionGround, ScoringRule


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "weight_response",
        "weight_resolution",
        "weight_satisfaction",
        "basic_satisfied_coef",
        "partly_solved_coef",
        "period_start_day",
    ]


@admin.register(ExemptionGround)
class ExemptionGroundAdmin(admin.ModelAdmin):
    list_display = ["name", "deadline_days", "active"]
    list_filter = ["active"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only here: applications move only through their review steps."""

    list_display = ["case", "kind", "ground", "state", "period", "deadline"]
    list_filter = ["state", "kind", "period"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
