"""Import runs in the worker (导入任务): queue an upload, claim it, run it, notice runs whose
process died, and remove uploaded files after the retention period.

The page only stores the upload and queues the run; `jiesu worker` claims queued runs with
a conditional UPDATE (so two workers never take the same one) and reads the file in a
child process (safe_read), so no upload can take the web server down.
"""

import datetime as dt
import hashlib
import logging
import os
import secrets
import socket
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jiesu.core.localtime import LOCAL
from jiesu.intake.importer import ImportRefused, current_process, import_file
from jiesu.intake.models import ImportRun, ImportStatus
from jiesu.org.models import Unit

logger = logging.getLogger(__name__)
UPLOADS = Path("imports") / "uploads"


def store_upload(upload, suffix: str) -> tuple[str, str]:
    """Writes the uploaded file mode 0600 under a random name; returns (relative path, sha256)."""
    folder = Path(settings.MEDIA_ROOT) / UPLOADS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{timezone.localtime(timezone=LOCAL):%Y%m%d%H%M%S}-{secrets.token_hex(8)}{suffix}"
    digest = hashlib.sha256()
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return str(UPLOADS / name), digest.hexdigest()


def queue_run(upload, *, platform: str, street: Unit, user) -> ImportRun:
    """Stores the upload and queues its run for the worker (排队中)."""
    name = Path(upload.name).name
    relative, sha256 = store_upload(upload, Path(name).suffix.lower())
    return ImportRun.objects.create(
        platform=platform,
        file_name=name[:200],
        street=street,
        started_by=user,
        sha256=sha256,
        upload=relative,
        status=ImportStatus.QUEUED,
    )


def claim(run: ImportRun) -> bool:
    """Takes a queued run for this process; False when another worker took it first."""
    mine = current_process()
    taken = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, **mine
    )
    if taken:
        run.status = ImportStatus.RUNNING
        for name, value in mine.items():
            setattr(run, name, value)
    return taken == 1


def run_claimed(run: ImportRun) -> None:
    """Runs a claimed import; whatever goes wrong ends on the run, never in the caller."""
    path = Path(settings.MEDIA_ROOT) / run.upload
    try:
        if not run.upload or not path.exists():
            raise ImportRefused("上传的文件已不存在,请重新上传。")
        import_file(
            path,
            platform=run.platform,
            street=run.street,
            user=run.started_by,
            run=run,
        )
    except ImportRefused as err:
        _fail(run, str(err))
    except Exception as err:  # an error of ours: logged with its traceback, kept on the run
        logger.exception("导入 %s 出错", run.pk)
        _fail(run, f"导入出错:{err}")


def _fail(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )


def has_queued() -> bool:
    return ImportRun.objects.filter(status=ImportStatus.QUEUED).exists()


def run_queued() -> int:
    """Claims and runs queued imports, oldest first, until none is left; returns how many."""
    count = 0
    while True:
        run = ImportRun.objects.filter(status=ImportStatus.QUEUED).order_by("started_at").first()
        if run is None:
            return count
        if claim(run):
            run_claimed(run)
            count += 1


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_dead_runs(now: dt.datetime | None = None) -> int:
    """Marks failed the runs whose process is gone: its pid is not alive on this host, or
    its heartbeat is older than JIESU_IMPORT_STALE_MINUTES. Says what was committed."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.JIESU_IMPORT_STALE_MINUTES)
    host = socket.gethostname()[:255]
    failed = 0
    running = ImportRun.objects.filter(status=ImportStatus.RUNNING).filter(
        Q(worker_host=host) | Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True)
    )
    for run in running:
        same_host_dead = run.worker_host == host and not _alive(run.worker_pid)
        silent = run.heartbeat_at is None or run.heartbeat_at < stale
        if not (same_host_dead or silent):
            continue
        message = (
            f"进程中断:已导入 {run.done_rows} 行(新增 {run.created} 件,更新 {run.updated} 件,"
            f"失败 {run.failed} 行),可重新导入以完成。"
        )
        failed += ImportRun.objects.filter(
            pk=run.pk, status=ImportStatus.RUNNING, heartbeat_at=run.heartbeat_at
        ).update(status=ImportStatus.FAILED, message=message, finished_at=now)
    return failed


def remove_old_uploads(now: dt.datetime | None = None) -> int:
    """Deletes uploaded files, and their error workbooks, past the retention period;
    the run keeps its record and the time the file was removed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.JIESU_IMPORT_RETENTION_DAYS)
    old = ImportRun.objects.filter(
        started_at__lt=cutoff,
        upload_removed_at__isnull=True,
        status__in=[ImportStatus.DONE, ImportStatus.FAILED],
    ).exclude(upload="", errors_file="")
    removed = 0
    for run in old:
        for name in (run.upload, run.errors_file):
            if name:
                (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)
        removed += ImportRun.objects.filter(pk=run.pk).update(upload_removed_at=now)
    return removed
