from django.contrib import admin

from jiesu.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only, for everyone: the superuser included may look, never add, change or delete."""

    list_display = ["id", "at", "actor_username", "kind", "ip", "target_repr"]
    list_filter = ["kind"]
    search_fields = ["actor_username", "ip"]
    show_full_result_count = False
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
