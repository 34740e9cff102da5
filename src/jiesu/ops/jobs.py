"""What the worker does for operations each loop: a heartbeat, and the daily backup when due."""

import datetime as dt
import logging
import os
import socket
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jiesu.ops import crypto
from jiesu.ops.backup import BackupResult, backup_files, create_backup
from jiesu.ops.models import BackupKind, BackupRecord, BackupStatus, WorkerHeartbeat

log = logging.getLogger(__name__)

# A failed daily backup is tried again after this; a "running" one this old died with its worker.
RETRY_AFTER = dt.timedelta(hours=1)
STALE_AFTER = dt.timedelta(hours=6)


def heartbeat(now=None) -> None:
    """Tell /healthz this machine's worker is alive."""
    WorkerHeartbeat.objects.update_or_create(
        host=socket.gethostname()[:200],
        defaults={"pid": os.getpid(), "last_seen": now or timezone.now()},
    )


def daily_backup_if_due(now=None) -> BackupResult | None:
    """Back up once a day from JIESU_BACKUP_HOUR (Beijing time) on and keep the newest
    JIESU_BACKUP_KEEP files; with several workers only the one that claims the day does it."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.JIESU_BACKUP_HOUR:
        return None
    record = _claim(local.date(), now)
    if record is None:
        return None
    out_dir = Path(settings.JIESU_BACKUP_DIR)
    try:
        key_file = settings.JIESU_BACKUP_KEY_FILE
        key = crypto.read_key_file(key_file) if key_file else None
        result = create_backup(out_dir=out_dir, key=key, record=record, report=log.info)
    except Exception as err:
        log.exception("每日备份失败")
        record.refresh_from_db()
        if record.status == BackupStatus.RUNNING:  # failed before create_backup took over
            record.status, record.finished_at = BackupStatus.FAILED, timezone.now()
            record.message = str(err)[:2000]
            record.save()
        return None
    removed = prune_backups(out_dir, settings.JIESU_BACKUP_KEEP)
    log.info("每日备份完成:%s,删除较早的备份 %d 个", result.path.name, len(removed))
    return result


def prune_backups(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backup files."""
    files = backup_files(out_dir)
    old = files[: max(len(files) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def _claim(day: dt.date, now) -> BackupRecord | None:
    record, created = BackupRecord.objects.get_or_create(
        kind=BackupKind.DAILY,
        day=day,
        defaults={"status": BackupStatus.RUNNING, "started_at": now},
    )
    if created:
        return record
    retry = Q(status=BackupStatus.FAILED, finished_at__lt=now - RETRY_AFTER) | Q(
        status=BackupStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        BackupRecord.objects.filter(pk=record.pk)
        .filter(retry)
        .update(status=BackupStatus.RUNNING, started_at=now, finished_at=None, message="")
    )
    if not claimed:
        return None
    record.refresh_from_db()
    return record
