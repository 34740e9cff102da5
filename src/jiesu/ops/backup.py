"""`jiesu backup`: one tar file with the database, the attachments and a manifest of hashes.

Members: `database/jiesu.sqlite3` or `database/jiesu.pgdump`, `media/<path under MEDIA_ROOT>`,
and `manifest.json` last, since it holds the hash of every member written before it.
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jiesu.ops import databases
from jiesu.ops.crypto import EncryptingWriter
from jiesu.ops.models import BackupKind, BackupRecord, BackupStatus

FORMAT = "jiesu-backup-1"
PREFIX = "jiesu-backup-"
SUFFIXES = (".tar", ".tar.enc")
_READ = 1024 * 1024


@dataclass
class BackupResult:
    path: Path
    size: int
    files: int
    rows: int


def create_backup(
    *, out_dir=None, key: bytes | None = None, using="default", record=None, report=print
) -> BackupResult:
    """Write a backup file into `out_dir` (JIESU_BACKUP_DIR), encrypted when a key is given,
    and record the outcome on `record` (a new manual BackupRecord when None)."""
    started = timezone.now()
    if record is None:
        record = BackupRecord.objects.using(using).create(
            kind=BackupKind.MANUAL, status=BackupStatus.RUNNING, started_at=started
        )
    try:
        out_dir = Path(out_dir or settings.JIESU_BACKUP_DIR)
        result = _write(out_dir, key, using, started, record.pk, report)
    except BaseException as err:
        record.status = BackupStatus.FAILED
        record.finished_at = timezone.now()
        record.message = str(err)[:2000] or type(err).__name__
        record.save(using=using)
        raise
    record.status = BackupStatus.DONE
    record.finished_at = timezone.now()
    record.file_name = result.path.name
    record.size = result.size
    record.message = f"数据库 {result.rows} 行,附件 {result.files} 个"
    record.save(using=using)
    return result


def _write(out_dir: Path, key, using: str, started, record_id: int, report) -> BackupResult:
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = _free_name(out_dir, started, ".tar.enc" if key else ".tar")
    partial = target.with_name(target.name + ".partial")
    clock = time.monotonic()
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tempfile.TemporaryDirectory(dir=out_dir) as work:
            report("正在复制数据库…")
            snap = databases.snapshot(using, Path(work))
            rows = sum(snap.counts.values())
            report(f"数据库已复制:{len(snap.counts)} 张表,共 {rows} 行。")
            sink = EncryptingWriter(raw, key) if key else raw
            files = {}
            with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                member = f"database/{snap.path.name}"
                files[member] = _add_file(tar, member, snap.path)
                snap.path.unlink()
                report("正在备份附件…")
                media = _add_media(tar, Path(settings.MEDIA_ROOT), out_dir, files)
                report(f"附件已备份:{media} 个文件。")
                manifest = {
                    "format": FORMAT,
                    "jiesu_version": version("jiesu"),
                    "created_at": timezone.localtime(started).isoformat(),
                    "encrypted": bool(key),
                    "record": record_id,
                    "database": {"vendor": snap.vendor, "member": member},
                    "migrations": snap.migrations,
                    "row_counts": snap.counts,
                    "files": files,
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            if key:
                sink.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    size = target.stat().st_size
    report(
        f"备份完成:{target.name},{_human(size)},用时 {time.monotonic() - clock:.1f} 秒"
        + (",已加密。" if key else "。")
    )
    return BackupResult(target, size, media, rows)


def backup_files(out_dir: Path) -> list[Path]:
    """jiesu's backup files in `out_dir`, oldest first (their names carry the time)."""
    if not out_dir.is_dir():
        return []
    found = [
        p
        for p in out_dir.iterdir()
        if p.name.startswith(PREFIX) and p.name.endswith(SUFFIXES) and p.is_file()
    ]
    return sorted(found, key=lambda p: p.name)


def _free_name(out_dir: Path, started, suffix: str) -> Path:
    stem = f"{PREFIX}{timezone.localtime(started):%Y%m%d-%H%M%S}"
    target, n = out_dir / (stem + suffix), 1
    while target.exists() or target.with_name(target.name + ".partial").exists():
        n += 1
        target = out_dir / f"{stem}-{n}{suffix}"
    return target


def _add_media(tar, media_root: Path, out_dir: Path, files: dict) -> int:
    if not media_root.is_dir():
        return 0
    skip = out_dir.resolve()
    count = 0
    for folder, dirs, names in os.walk(media_root):
        dirs[:] = sorted(d for d in dirs if (Path(folder) / d).resolve() != skip)
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            member = "media/" + path.relative_to(media_root).as_posix()
            try:
                files[member] = _add_file(tar, member, path)
            except FileNotFoundError:
                continue  # deleted since the listing (an expired import upload)
            count += 1
    return count


def _add_file(tar, member: str, path: Path) -> dict:
    """Stream one file into the archive, hashing it on the way."""
    with open(path, "rb") as f:
        info = _info(member, os.fstat(f.fileno()).st_size)
        digest = hashlib.sha256()
        tar.addfile(info, _Hashing(f, digest))
    return {"sha256": digest.hexdigest(), "size": info.size}


def _add_bytes(tar, member: str, text: str) -> None:
    data = text.encode()
    tar.addfile(_info(member, len(data)), io.BytesIO(data))


def _info(member: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(member)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


class _Hashing:
    def __init__(self, source, digest):
        self._source, self._digest = source, digest

    def read(self, size=-1):
        data = self._source.read(size)
        self._digest.update(data)
        return data


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
