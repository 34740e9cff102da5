from django.contrib import admin

from jiesu.supervision.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: the send log (站外通知发送记录); the worker alone writes it."""

    list_display = [
        "id",
        "notification",
        "channel",
        "status",
        "attempts",
        "next_try_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "notification__kind"]
    list_select_related = ["notification"]
    date_hierarchy = "next_try_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
