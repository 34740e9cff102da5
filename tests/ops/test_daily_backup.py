"""The worker's daily backup: once a day from the configured hour, the newest N kept."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiesu.ops import crypto, jobs
from jiesu.ops.models import BackupKind, BackupRecord, BackupStatus, WorkerHeartbeat
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def backups(settings, tmp_path):
    settings.JIESU_BACKUP_DIR = tmp_path / "backups"
    settings.JIESU_BACKUP_DIR.mkdir()
    settings.JIESU_BACKUP_KEEP = 3
    settings.JIESU_BACKUP_HOUR = 2
    return settings.JIESU_BACKUP_DIR


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_keeps_only_the_newest_n(backups, people):
    old = [f"jiesu-backup-202611{day:02d}-020000.tar" for day in range(1, 6)]  # N + 2
    for name in old:
        (backups / name).write_bytes(b"old")
    (backups / "README.txt").write_text("not a backup")

    result = jobs.daily_backup_if_due(at("2026-11-06 02:05"))

    assert result is not None and result.path.exists()
    kept = [n for n in names(backups) if n.startswith("jiesu-backup-")]
    assert len(kept) == 3
    assert kept[:2] == old[-2:] and result.path.name in kept
    assert (backups / "README.txt").exists()
    record = BackupRecord.objects.get(kind=BackupKind.DAILY)
    assert record.day == dt.date(2026, 11, 6) and record.status == BackupStatus.DONE
    assert record.file_name == result.path.name and record.size == result.path.stat().st_size


def test_once_a_day_from_the_hour(backups, people):
    assert jobs.daily_backup_if_due(at("2026-11-06 01:59")) is None
    assert names(backups) == []
    assert jobs.daily_backup_if_due(at("2026-11-06 02:00")) is not None
    assert jobs.daily_backup_if_due(at("2026-11-06 23:30")) is None
    assert len(names(backups)) == 1
    assert jobs.daily_backup_if_due(at("2026-11-07 03:00")) is not None
    assert len(names(backups)) == 2


def test_a_failed_day_is_recorded_and_tried_again_an_hour_later(backups, settings, tmp_path):
    settings.JIESU_BACKUP_HOUR = 0
    settings.JIESU_BACKUP_KEY_FILE = str(tmp_path / "missing.key")
    now = timezone.now()
    assert jobs.daily_backup_if_due(now) is None
    record = BackupRecord.objects.get()
    assert record.status == BackupStatus.FAILED and "读不了密钥文件" in record.message

    crypto.new_key_file(tmp_path / "missing.key")
    assert jobs.daily_backup_if_due(now + dt.timedelta(minutes=30)) is None  # not yet an hour
    result = jobs.daily_backup_if_due(now + dt.timedelta(minutes=61))
    assert result is not None and result.path.name.endswith(".tar.enc")
    record.refresh_from_db()
    assert record.status == BackupStatus.DONE


def test_worker_loop_writes_a_heartbeat_and_the_daily_backup(backups, settings, people):
    settings.JIESU_BACKUP_HOUR = 0
    call_command("worker", once=True)
    beat = WorkerHeartbeat.objects.get()
    assert beat.last_seen is not None
    assert BackupRecord.objects.get().status == BackupStatus.DONE
    assert len(names(backups)) == 1
