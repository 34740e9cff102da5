from django.contrib import admin

from jiesu.core.admin import ReadOnlyAdmin
from jiesu.ops.models import BackupRecord, WorkerHeartbeat


@admin.register(BackupRecord)
class BackupRecordAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "status", "finished_at", "file_name", "size", "message"]
    list_filter = ["kind", "status"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["host", "pid", "last_seen"]
