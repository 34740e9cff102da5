from django.contrib import admin
from django.utils import timezone

from jiesu.core.models import ApiToken, CalendarDay, PasswordState, PiiAccess


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(PiiAccess)
class PiiAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "case", "field", "channel"]
    list_filter = ["field", "channel"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one save each, so the audit log sees every revocation
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        self.message_user(request, f"已吊销 {len(tokens)} 个令牌。")


@admin.register(PasswordState)
class PasswordStateAdmin(admin.ModelAdmin):
    list_display = ["user", "changed_at", "must_change"]
    list_editable = ["must_change"]
    list_filter = ["must_change"]
    search_fields = ["user__username", "user__first_name"]
    readonly_fields = ["changed_at"]
    autocomplete_fields = ["user"]
