"""`jiesu restore`: unpack a backup, check every hash against the manifest, and only then
replace the database and put the attachments back; finally recount every table."""

import datetime as dt
import hashlib
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from jiesu.ops import databases
from jiesu.ops.backup import FORMAT
from jiesu.ops.crypto import DecryptingReader, is_encrypted
from jiesu.ops.errors import BackupError
from jiesu.ops.models import BackupRecord, BackupStatus

_READ = 1024 * 1024
_TOPS = {"manifest.json", "database", "media"}


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    counts: dict[str, int | None]
    mismatches: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    behind: list[str] = field(default_factory=list)


def restore_backup(
    path, *, key: bytes | None = None, force=False, using="default", report=print
) -> RestoreResult:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。")
    encrypted = is_encrypted(path)
    if encrypted and key is None:
        raise BackupError("这个备份是加密的,请用 --key-file 指定备份密钥文件。")
    if not force:
        found = databases.office_rows(using)
        if found:
            held = "、".join(f"{label} {n} 条" for label, n in found.items())
            raise BackupError(
                f"目标数据库不是空的(已有{held}),恢复会覆盖这些数据,已停止。"
                "确认要覆盖,请加 --force 再运行。"
            )
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="restore-", dir=settings.VAR_DIR))
    try:
        report(f"正在读取并校验备份 {path.name}…")
        manifest = _unpack(path, key if encrypted else None, staging)
        report(f"校验通过:{len(manifest['files'])} 个文件的 SHA-256 与清单一致。")
        behind = _check_migrations(manifest)
        report("正在恢复数据库…")
        vendor = manifest["database"]["vendor"]
        databases.restore(using, staging / manifest["database"]["member"], vendor)
        _close_own_record(using, manifest, path)
        report("正在恢复附件…")
        files = _restore_media(staging / "media", Path(settings.MEDIA_ROOT))
        report(f"附件已恢复:{files} 个文件。")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    expected = manifest["row_counts"]
    counts = databases.table_counts(using, list(expected))
    mismatches = {t: (n, counts[t]) for t, n in expected.items() if counts[t] != n}
    return RestoreResult(manifest, files, counts, mismatches, behind)


def _unpack(path: Path, key, staging: Path) -> dict:
    """Extract into `staging`, hashing each member; refuse anything the manifest does not vouch for."""
    seen = {}
    with open(path, "rb") as raw:
        source = DecryptingReader(raw, key) if key else raw
        try:
            with tarfile.open(fileobj=source, mode="r|") as tar:
                for member in tar:
                    name = _safe_name(member)
                    seen[name] = _extract(tar, member, staging / name)
        except (tarfile.TarError, EOFError) as err:
            raise BackupError(f"备份文件已损坏,无法读取:{err}。") from None
    if "manifest.json" not in seen:
        raise BackupError("备份里没有 manifest.json:不是 jiesu 的备份,或文件已损坏。")
    try:
        manifest = json.loads((staging / "manifest.json").read_text())
        listed = manifest["files"]
        manifest["database"]["member"]
    except (ValueError, KeyError, TypeError):
        raise BackupError("备份的 manifest.json 无法读取,文件已损坏。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}。")
    for name, meta in listed.items():
        if name not in seen:
            raise BackupError(f"备份不完整:缺少文件 {name}。")
        if seen[name] != (meta["sha256"], meta["size"]):
            raise BackupError(f"备份文件已被改动或损坏:{name} 的 SHA-256 与清单不符,已停止恢复。")
    extra = sorted(set(seen) - set(listed) - {"manifest.json"})
    if extra:
        raise BackupError(f"备份里有清单之外的文件 {extra[0]},文件已被改动,已停止恢复。")
    return manifest


def _safe_name(member: tarfile.TarInfo) -> str:
    name = PurePosixPath(member.name)
    if (
        not member.isreg()
        or name.is_absolute()
        or ".." in name.parts
        or not name.parts
        or name.parts[0] not in _TOPS
    ):
        raise BackupError(f"备份里有不该有的条目 {member.name},已停止恢复。")
    return name.as_posix()


def _extract(tar, member, target: Path) -> tuple[str, int]:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    source = tar.extractfile(member)
    digest, size = hashlib.sha256(), 0
    with open(target, "xb") as out:
        while chunk := source.read(_READ):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    target.chmod(0o600)
    return digest.hexdigest(), size


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup made by newer code; name the apps whose migrations it lacks."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    applied = manifest["migrations"]
    newer = [f"{app}.{name}" for app, name in applied.items() if (app, name) not in known]
    if newer:
        raise BackupError(
            f"备份来自更新的 jiesu(版本 {manifest.get('jiesu_version', '未知')}),"
            f"本程序没有它的迁移 {'、'.join(newer)}。请先升级 jiesu,再恢复这个备份。"
        )
    leaves = loader.graph.leaf_nodes()
    return sorted(f"{app}.{name}" for app, name in leaves if applied.get(app) != name)


def _close_own_record(using: str, manifest: dict, path: Path) -> None:
    """The copy was taken while its own backup was running; this file proves that run worked."""
    if "ops_backuprecord" not in manifest["row_counts"]:
        return
    BackupRecord.objects.using(using).filter(
        pk=manifest.get("record"), status=BackupStatus.RUNNING
    ).update(
        status=BackupStatus.DONE,
        finished_at=dt.datetime.fromisoformat(manifest["created_at"]),
        file_name=path.name[:200],
        size=path.stat().st_size,
        message="恢复时校验通过",
    )


def _restore_media(staged: Path, media_root: Path) -> int:
    if not staged.is_dir():
        return 0
    count = 0
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        target = media_root / path.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        count += 1
    return count
