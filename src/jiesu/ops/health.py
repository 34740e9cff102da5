"""The checks behind /healthz: database, worker heartbeat, disk space, last backup's age.

Anonymous callers (load balancers, monitors) read it, so it says whether each part is well and
the few numbers needed to act, never a path, host name, version or person."""

import datetime as dt
import shutil
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Max
from django.utils import timezone

from jiesu.ops.models import BackupRecord, BackupStatus, WorkerHeartbeat


def check(using="default", now=None) -> dict:
    now = now or timezone.now()
    database = _database(using)
    checks = {"database": database, "worker": {"last_seen": None, "ok": False}}
    checks["disk"] = _disk()
    checks["backup"] = {"last_at": None, "age_hours": None, "ok": False}
    if database["ok"]:
        checks["worker"] = _worker(using, now)
        checks["backup"] = _backup(using, now)
    if not database["ok"]:
        status = "down"
    elif all(part["ok"] for part in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, "checks": checks}


def _database(using: str) -> dict:
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connections[using].close()
        return {"ok": False}
    return {"ok": True}


def _worker(using: str, now) -> dict:
    seen = WorkerHeartbeat.objects.using(using).aggregate(last=Max("last_seen"))["last"]
    silent = dt.timedelta(seconds=settings.JIESU_HEALTH_WORKER_SILENT_SECONDS)
    return {"last_seen": _when(seen), "ok": seen is not None and now - seen <= silent}


def _backup(using: str, now) -> dict:
    last = (
        BackupRecord.objects.using(using)
        .filter(status=BackupStatus.DONE)
        .aggregate(last=Max("finished_at"))["last"]
    )
    if last is None:
        return {"last_at": None, "age_hours": None, "ok": False}
    age = (now - last).total_seconds() / 3600
    return {
        "last_at": _when(last),
        "age_hours": round(age, 1),
        "ok": age <= settings.JIESU_HEALTH_BACKUP_MAX_AGE_HOURS,
    }


def _disk() -> dict:
    """Free space on the emptiest of the disks holding the database, attachments and backups."""
    places = [settings.VAR_DIR, settings.MEDIA_ROOT, settings.JIESU_BACKUP_DIR]
    free = min(shutil.disk_usage(_existing(Path(p))).free for p in places)
    return {"free_bytes": free, "ok": free >= settings.JIESU_HEALTH_DISK_FREE_BYTES}


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None
