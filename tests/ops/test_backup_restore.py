"""`jiesu backup` and `jiesu restore`: a round trip into a fresh database, and every refusal."""

import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections

from jiesu.cases.models import Attachment, Case, CaseEvent
from jiesu.ops import crypto
from jiesu.ops.backup import create_backup
from jiesu.ops.databases import table_counts
from jiesu.ops.errors import BackupError
from jiesu.ops.models import BackupRecord, BackupStatus
from jiesu.ops.restore import restore_backup

from .conftest import media_hashes, restores

pytestmark = restores


def quiet(_line):
    pass


def test_round_trip_into_a_fresh_database_keeps_every_row_and_file(office, target_db, tmp_path):
    source_media = Path(settings.MEDIA_ROOT)
    before = media_hashes(source_media)
    assert len(before) == 3

    backup = create_backup(out_dir=tmp_path / "out", report=quiet)
    assert backup.path.name.startswith("jiesu-backup-") and backup.path.suffix == ".tar"
    assert backup.path.stat().st_mode & 0o777 == 0o600

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    result = restore_backup(backup.path, using=target_db, report=quiet)

    source_counts = table_counts("default")
    restored_counts = table_counts(target_db)
    recorded = result.manifest["row_counts"]
    assert set(recorded) <= set(restored_counts)
    for table, count in recorded.items():
        assert restored_counts[table] == source_counts[table] == count, table
    assert result.mismatches == {}
    assert restored_counts["cases_case"] == 3
    assert Case.objects.using(target_db).filter(caller_name="李四").exists()
    assert CaseEvent.objects.using(target_db).count() == CaseEvent.objects.count() > 3
    assert media_hashes(tmp_path / "restored-media") == before
    for attachment in Attachment.objects.using(target_db):
        stored = tmp_path / "restored-media" / attachment.file.name
        assert media_hashes(stored.parent)[stored.name] == attachment.sha256
    own = BackupRecord.objects.using(target_db).get(pk=result.manifest["record"])
    assert own.status == BackupStatus.DONE and own.file_name == backup.path.name


def test_manifest_lists_version_vendor_migrations_hashes_and_counts(office, tmp_path):
    backup = create_backup(out_dir=tmp_path, report=quiet)
    with tarfile.open(backup.path) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json"
    vendor = connections["default"].vendor
    assert manifest["database"]["vendor"] == vendor
    assert manifest["database"]["member"] in names
    assert manifest["jiesu_version"]
    assert manifest["migrations"]["ops"] == "0001_initial"
    assert manifest["row_counts"]["cases_case"] == 3
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    png = next(n for n in names if n.startswith("media/attachments/"))
    assert len(manifest["files"][png]["sha256"]) == 64


def test_command_prints_progress_in_chinese_and_the_row_check(office, target_db, tmp_path, capsys):
    call_command("backup", out=tmp_path)
    backup = next(tmp_path.glob("jiesu-backup-*.tar"))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(backup), database=target_db)
    out = capsys.readouterr().out
    assert "数据库已复制" in out and "备份完成" in out
    assert "校验通过" in out and "张表的行数与备份清单全部一致" in out and "恢复完成" in out


def test_a_changed_file_in_the_archive_is_refused_by_name(office, target_db, tmp_path):
    backup = create_backup(out_dir=tmp_path, report=quiet)
    data = bytearray(backup.path.read_bytes())
    at = data.index(bytes(range(256)) * 4)  # inside the imports spreadsheet
    data[at + 10] ^= 0xFF
    backup.path.write_bytes(bytes(data))
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(BackupError) as refused:
        restore_backup(backup.path, using=target_db, report=quiet)
    assert "media/imports/2026/市级平台导出.xlsx" in str(refused.value)
    assert "SHA-256" in str(refused.value)
    assert not Case.objects.using(target_db).exists()
    assert not (tmp_path / "restored-media").exists()


def test_an_encrypted_backup_needs_its_key_and_catches_any_change(office, target_db, tmp_path):
    key_file = tmp_path / "backup.key"
    call_command("backup", new_key_file=key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", new_key_file=key_file)
    key = crypto.read_key_file(key_file)

    backup = create_backup(out_dir=tmp_path / "out", key=key, report=quiet)
    assert backup.path.name.endswith(".tar.enc")
    sealed = backup.path.read_bytes()
    assert b"manifest.json" not in sealed and bytes(range(256)) * 4 not in sealed
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="这个备份是加密的,请用 --key-file"):
        call_command("restore", str(backup.path), database=target_db)
    other = tmp_path / "other.key"
    crypto.new_key_file(other)
    with pytest.raises(CommandError, match="密钥不对"):
        call_command("restore", str(backup.path), key_file=other, database=target_db)

    changed = tmp_path / "changed.tar.enc"
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 0x01
    changed.write_bytes(bytes(flipped))
    with pytest.raises(BackupError, match="已被改动或损坏:第 \\d+ 块校验失败"):
        restore_backup(changed, key=key, using=target_db, report=quiet)
    cut = tmp_path / "cut.tar.enc"
    cut.write_bytes(sealed[: len(sealed) - 100])
    with pytest.raises(BackupError, match="被截断|已被改动"):
        restore_backup(cut, key=key, using=target_db, report=quiet)
    assert not Case.objects.using(target_db).exists()

    call_command("restore", str(backup.path), key_file=key_file, database=target_db)
    assert Case.objects.using(target_db).count() == 3
    assert len(media_hashes(tmp_path / "restored-media")) == 3


def test_a_database_with_an_office_is_refused_without_force(office, tmp_path):
    backup = create_backup(out_dir=tmp_path, report=quiet)
    Case.objects.filter(pk=office[2].pk).delete()

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup.path))
    message = str(refused.value)
    assert "目标数据库不是空的" in message and "工单 2 条" in message and "--force" in message
    assert Case.objects.count() == 2

    connections["default"].close()
    call_command("restore", str(backup.path), force=True)
    assert Case.objects.count() == 3


def test_a_backup_from_newer_code_is_refused(office, target_db, tmp_path):
    backup = create_backup(out_dir=tmp_path, report=quiet)
    newer = _rewrite_manifest(
        backup.path, tmp_path / "newer.tar", lambda m: m["migrations"].update(cases="9999_future")
    )
    with pytest.raises(BackupError, match="备份来自更新的 jiesu.*cases.9999_future.*请先升级"):
        restore_backup(newer, using=target_db, report=quiet)


def test_a_backup_from_older_code_restores_and_says_to_migrate(office, target_db, tmp_path):
    backup = create_backup(out_dir=tmp_path, report=quiet)
    manifest = json.loads(_member(backup.path, "manifest.json"))
    assert "0001_initial" in manifest["migrations"]["ops"]
    # An older jiesu had no ops app: a manifest without it (hashes still hold).
    older = _rewrite_manifest(
        backup.path, tmp_path / "older.tar", lambda m: m["migrations"].pop("ops")
    )
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    result = restore_backup(older, using=target_db, report=quiet)
    assert "ops.0001_initial" in result.behind


def test_a_missing_file_is_a_chinese_error(target_db, tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar"), database=target_db)


def _member(path: Path, name: str) -> bytes:
    with tarfile.open(path) as tar:
        return tar.extractfile(name).read()


def _rewrite_manifest(path: Path, out: Path, change) -> Path:
    """Copy an archive with its manifest changed (as a newer or older jiesu would write it)."""
    with tarfile.open(path) as source, tarfile.open(out, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    os.chmod(out, 0o600)
    return out
