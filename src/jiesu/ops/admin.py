from django.contrib import admin

from jiesu.ops.models import BackupRecord, WorkerHeartbeat


class ReadOnly(admin.ModelAdmin):
    """Written by the worker and the commands only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BackupRecord)
class BackupRecordAdmin(ReadOnly):
    list_display = ["started_at", "kind", "status", "finished_at", "file_name", "size", "message"]
    list_filter = ["kind", "status"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnly):
    list_display = ["host", "pid", "last_seen"]
