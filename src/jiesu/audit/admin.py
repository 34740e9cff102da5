from django.contrib import admin

from jiesu.audit.models import AuditEvent
from jiesu.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read only, for everyone: the superuser included may look, never add, change or delete."""

    list_display = ["id", "at", "actor_username", "kind", "ip", "target_repr"]
    list_filter = ["kind"]
    search_fields = ["actor_username", "ip"]
    show_full_result_count = False
    actions = None
