"""Imports run in the worker: the page queues, `jiesu worker` claims and runs, a run whose
process died is marked failed with what was committed, old uploads are removed."""

import datetime as dt
import io
import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from jiesu.cases.models import Case
from jiesu.intake import runs
from jiesu.intake.models import ImportRun, ImportStatus
from tests.intake.conftest import export_row
from tests.intake.hostile import sheet, text_cell, write_by_hand


@pytest.fixture(autouse=True)
def _no_backup(settings):
    settings.JIESU_BACKUP_HOUR = 24  # `worker --once` must not make the daily backup here


def upload(client, path, platform="city"):
    data = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post("/intake/import/", {"platform": platform, "file": data}, follow=True)


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_page_only_queues_and_the_worker_imports(
    client, people, categories, settings, write_xlsx
):
    settings.JIESU_IMPORT_IN_BACKGROUND = True
    client.force_login(people["zuoxi"])
    page = upload(client, write_xlsx([export_row(1), export_row(2)], name="三月.xlsx"))
    assert "排队等待后台导入" in page.content.decode()
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED and run.file_name == "三月.xlsx"
    assert Case.objects.count() == 0
    stored = Path(settings.MEDIA_ROOT) / run.upload
    assert stored.parent == Path(settings.MEDIA_ROOT) / "imports" / "uploads"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert "三月" not in stored.name  # the user's name never becomes a path

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.created == 2
    assert run.worker_pid == os.getpid() and run.worker_host == socket.gethostname()
    assert Case.objects.count() == 2
    assert "导入 1 个" in out.getvalue()
    progress = client.get(f"/intake/import/{run.pk}/progress/").content.decode()
    assert "新增 <strong>2</strong> 件" in progress


def test_two_workers_never_take_the_same_run(people, org, write_xlsx):
    run = runs.queue_run(
        SimpleUploadedFile("a.xlsx", write_xlsx([export_row(1)]).read_bytes()),
        platform="city",
        street=org["street"],
        user=people["zuoxi"],
    )
    other_workers_copy = ImportRun.objects.get(pk=run.pk)
    assert runs.claim(run) is True
    assert runs.claim(other_workers_copy) is False
    assert runs.run_queued() == 0  # nothing left queued


def test_the_worker_goes_on_after_a_failing_import(people, org, categories, tmp_path, write_xlsx):
    hostile = write_by_hand(
        tmp_path / "hostile.xlsx",
        sheet(f'<row r="1048576">{text_cell("XFD1048576", "x")}</row>'),
    )
    queued = [
        runs.queue_run(
            SimpleUploadedFile(path.name, path.read_bytes()),
            platform="city",
            street=org["street"],
            user=people["zuoxi"],
        )
        for path in (hostile, write_xlsx([export_row(1)]), write_xlsx([export_row(2)]))
    ]
    (Path(tmp_path / "media") / queued[1].upload).unlink()  # the file went missing
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    first, second, third = (ImportRun.objects.get(pk=r.pk) for r in queued)
    assert first.status == ImportStatus.FAILED and "列的上限" in first.message
    assert second.status == ImportStatus.FAILED and "上传的文件已不存在" in second.message
    assert third.status == ImportStatus.DONE and third.created == 1
    assert "导入 3 个" in out.getvalue()


def test_a_run_whose_process_died_is_marked_failed_with_what_was_committed(org, people):
    now = timezone.now()
    common = {"platform": "city", "street": org["street"], "status": ImportStatus.RUNNING}
    dead = ImportRun.objects.create(
        file_name="dead.xlsx",
        worker_host=socket.gethostname(),
        worker_pid=_dead_pid(),
        heartbeat_at=now,
        total_rows=5000,
        done_rows=2000,
        created=1990,
        failed=10,
        **common,
    )
    alive = ImportRun.objects.create(
        file_name="alive.xlsx",
        worker_host=socket.gethostname(),
        worker_pid=os.getpid(),
        heartbeat_at=now,
        **common,
    )
    silent = ImportRun.objects.create(
        file_name="silent.xlsx",
        worker_host="another-machine",
        worker_pid=1,
        heartbeat_at=now - dt.timedelta(minutes=11),
        **common,
    )
    busy = ImportRun.objects.create(
        file_name="busy.xlsx",
        worker_host="another-machine",
        worker_pid=1,
        heartbeat_at=now - dt.timedelta(minutes=2),
        **common,
    )
    call_command("worker", "--once", stdout=io.StringIO())
    dead.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and dead.finished_at is not None
    assert dead.message == (
        "进程中断:已导入 2000 行(新增 1990 件,更新 0 件,失败 10 行),可重新导入以完成。"
    )
    silent.refresh_from_db()
    assert silent.status == ImportStatus.FAILED and "进程中断" in silent.message
    for run in (alive, busy):
        run.refresh_from_db()
        assert run.status == ImportStatus.RUNNING


def test_a_killed_command_line_import_is_noticed(org, people, write_xlsx):
    """The CLI records its own process on the run; once it is gone, the worker says so."""
    from jiesu.intake.importer import start_run

    run = start_run(write_xlsx([export_row(1)]), platform="city", street=org["street"])
    assert run.worker_pid == os.getpid()
    ImportRun.objects.filter(pk=run.pk).update(worker_pid=_dead_pid())
    assert runs.fail_dead_runs() == 1


def test_uploads_are_removed_after_the_retention_period(client, people, org, settings, write_xlsx):
    settings.JIESU_IMPORT_RETENTION_DAYS = 30
    client.force_login(people["zuoxi"])
    upload(client, write_xlsx([export_row(1), export_row(2, 来电时间="不详")]))
    runs.run_queued()
    old = ImportRun.objects.get()
    assert old.status == ImportStatus.DONE and old.errors_file
    errors = Path(old.errors_file)
    assert stat.S_IMODE(errors.stat().st_mode) == 0o600
    ImportRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(days=31))
    upload(client, write_xlsx([export_row(3)]))
    runs.run_queued()
    young = ImportRun.objects.latest("pk")
    files = {r.pk: Path(settings.MEDIA_ROOT) / r.upload for r in (old, young)}

    call_command("worker", "--once", stdout=io.StringIO())
    old.refresh_from_db()
    young.refresh_from_db()
    assert not files[old.pk].exists() and not errors.exists()
    assert old.upload_removed_at is not None and old.created == 1 and old.rows.count() == 2
    assert files[young.pk].exists() and young.upload_removed_at is None
    page = client.get(f"/intake/import/{old.pk}/").content.decode()
    assert "上传的文件和错误明细已于" in page and "按保留期删除" in page
    assert client.get(f"/intake/import/{old.pk}/errors/").status_code == 404
