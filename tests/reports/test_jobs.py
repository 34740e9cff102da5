"""Reports in the background: the schedule's moments (by hand), each scheduled report built
once however many workers ask, the reports page, ordering a report, its downloads opened
and checked against the API, and the office's template versions."""

import datetime as dt
import io
import os
import re
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook

from jiesu.reports import jobs
from jiesu.reports.models import ReportRun, ReportTemplate, RunStatus
from tests.conftest import at
from tests.reports.conftest import NOW
from tests.reports.test_documents import api_scores
from tests.workers import run_workers

# the default schedule: 日报 12:00 daily, 周报 Monday 09:00, 月报 the 19th 09:00
DEFAULT_SCHEDULE = {"daily": "12:00", "weekly": "1 09:00", "monthly": "19 09:00"}


@pytest.fixture(autouse=True)
def _schedule(settings):
    """The shipped schedule (the suite's conftest turns it off for other tests)."""
    settings.JIESU_REPORT_SCHEDULE = dict(DEFAULT_SCHEDULE)


@pytest.mark.parametrize(
    ("kind", "now", "due"),
    [
        ("daily", "2026-12-01 11:59", "2026-11-30 12:00"),
        ("daily", "2026-12-01 12:00", "2026-12-01 12:00"),
        ("weekly", "2026-12-01 11:59", "2026-11-30 09:00"),  # Tuesday: Monday's
        ("weekly", "2026-11-30 08:59", "2026-11-23 09:00"),  # Monday before 09:00
        ("weekly", "2026-11-30 09:00", "2026-11-30 09:00"),
        ("monthly", "2026-11-19 08:59", "2026-10-19 09:00"),
        ("monthly", "2026-11-19 09:00", "2026-11-19 09:00"),
        ("monthly", "2026-01-05 10:00", "2025-12-19 09:00"),  # across the year
    ],
)
def test_the_latest_scheduled_moment(kind, now, due):
    assert jobs.last_due(kind, at(now)) == at(due)


def test_a_configured_time_is_used_and_a_bad_one_refused(settings):
    settings.JIESU_REPORT_SCHEDULE = {**settings.JIESU_REPORT_SCHEDULE, "daily": "08:30"}
    assert jobs.last_due("daily", at("2026-12-01 08:29")) == at("2026-11-30 08:30")
    for bad in ("8:30pm", "1 08:30"):
        settings.JIESU_REPORT_SCHEDULE = {**settings.JIESU_REPORT_SCHEDULE, "daily": bad}
        with pytest.raises(ValueError, match="格式不对"):
            jobs.last_due("daily", NOW)
    with pytest.raises(ValueError, match="1至28日"):
        jobs.parse_schedule("monthly", "31 09:00")


@pytest.fixture
def quick(settings):
    """Scheduled reports as Excel only (no charts), to keep the schedule tests fast."""
    settings.JIESU_REPORT_FORMATS = ["xlsx"]


def test_the_schedule_queues_each_report_once_per_unit(org, quick):
    now = at("2026-12-01 12:00")
    # district + two streets, each with the 日报 of 12-01, the 周报 of 11-23 and the 月报 2026-11
    assert jobs.schedule(now) == 9
    assert jobs.schedule(now) == 0  # a second worker, or the next loop: nothing new
    assert jobs.schedule(at("2026-12-01 12:30")) == 0
    keys = set(ReportRun.objects.values_list("schedule_key", flat=True))
    street = org["street"].pk
    assert {f"daily:2026-12-01:{street}", f"weekly:2026-11-23:{street}"} <= keys
    assert f"monthly:2026-11:{street}" in keys
    # the next day's 日报 at its noon, nothing else
    assert jobs.schedule(at("2026-12-02 12:00")) == 3


def test_two_workers_never_build_the_same_run(org, quick):
    jobs.schedule(at("2026-12-01 12:00"))
    run = ReportRun.objects.order_by("id").first()
    assert jobs.claim(run, NOW) is True
    assert jobs.claim(run, NOW) is False  # the other worker's UPDATE finds it taken
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.worker_pid == os.getpid()


def test_a_scheduled_monthly_report_equals_the_api(street_period, org, people, client, settings):
    """All three formats of one scheduled 月报, opened and checked against /api/v1/scores."""
    settings.JIESU_REPORT_SCHEDULE = {"monthly": "19 09:00"}
    jobs.schedule(at("2026-10-19 09:00"))
    run = ReportRun.objects.get(schedule_key=f"monthly:2026-10:{org['street'].pk}")
    ReportRun.objects.exclude(pk=run.pk).delete()
    assert jobs.run_queued(NOW) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert set(run.files) == {"docx", "xlsx", "pdf"}
    api = api_scores(client, people["zuzhang"], "2026-10", org["street"])["pooled"]
    client.force_login(people["zuzhang"])
    got = client.get(f"/reports/runs/{run.pk}/docx")
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(b"".join(got.streaming_content))).paragraphs
    )
    assert f"本期共受理诉求{api['received']}件" in text and api["received"] == 7
    got = client.get(f"/reports/runs/{run.pk}/xlsx")
    book = load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(values_only=True)}
    assert summary["办结量(按办结时间)"] == api["closed"]
    got = client.get(f"/reports/runs/{run.pk}/pdf")
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    assert "attachment" in got["Content-Disposition"]


def test_a_failed_build_says_why_in_chinese(org, quick):
    run = ReportRun.objects.create(
        kind="monthly",
        title="坏的",
        unit=org["street"],
        params={"period": "2026-13"},
        formats=["xlsx"],
    )
    jobs.run_queued(NOW)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "2026-13" in run.message and not run.files


def test_a_stalled_run_fails_and_old_ledgers_are_removed(org, people, settings, tmp_path):
    stalled = ReportRun.objects.create(
        kind="daily",
        title="x",
        unit=org["street"],
        status=RunStatus.RUNNING,
        heartbeat_at=at("2026-11-30 09:00"),
    )
    assert jobs.fail_stalled() == 1
    stalled.refresh_from_db()
    assert stalled.status == RunStatus.FAILED and "中断" in stalled.message
    path = settings.MEDIA_ROOT / "reports" / "old.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    old = ReportRun.objects.create(
        kind="ledger",
        title="台账",
        unit=org["street"],
        status=RunStatus.DONE,
        finished_at=at("2026-11-20 10:00"),
        files={"xlsx": "reports/old.xlsx"},
        requested_by=people["zuzhang"],
    )
    assert jobs.remove_old_ledgers(at("2026-11-26 10:00")) == 0  # 6 days: kept
    assert jobs.remove_old_ledgers(at("2026-11-27 10:01")) == 1  # over 7 days
    old.refresh_from_db()
    assert old.files == {} and not path.exists()


# --- the page ----------------------------------------------------------------------------


def test_the_reports_page_orders_a_report_and_shows_it(street_period, org, people, client):
    client.force_login(people["shuju"])
    page = client.get("/reports/")
    assert page.status_code == 200 and 'data-form="report-order"' in page.content.decode()
    response = client.post(
        "/reports/order/",
        {
            "kind": "special",
            "start": "2026-10-01",
            "end": "2026-10-07",
            "unit": org["street"].pk,
            "formats": ["xlsx"],
        },
    )
    run = ReportRun.objects.get()
    assert response.status_code == 302 and run.requested_by == people["shuju"]
    assert run.params["start"] == "2026-10-01" and run.params["end"] == "2026-10-07"
    partial = client.get(f"/reports/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in partial  # polled while queued
    jobs.run_queued(NOW)
    partial = client.get(f"/reports/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and 'data-download="xlsx"' in partial
    listing = client.get("/reports/").content.decode()
    assert f'data-run="{run.pk}"' in listing and "霍营街道专报(2026-10-01~2026-10-07)" in listing
    # a reader of the other street sees neither the report nor its file
    client.force_login(people["outsider"])
    assert f'data-run="{run.pk}"' not in client.get("/reports/").content.decode()
    assert client.get(f"/reports/runs/{run.pk}/xlsx").status_code == 404
    # the district's 督办 reads the street's reports
    client.force_login(people["ducha"])
    assert client.get(f"/reports/runs/{run.pk}/xlsx").status_code == 200


@pytest.mark.parametrize(
    ("kind", "given", "window"),
    [
        ("meeting", {"date": "2026-12-04"}, "2026-11-23"),  # a Friday meeting: last week
        ("weekly", {"date": "2026-11-25"}, "2026-11-23"),
        ("daily", {"date": "2026-11-30"}, "2026-11-30"),
        ("monthly", {"period": "2026-10"}, "2026-10"),
    ],
)
def test_an_ordered_report_is_built_for_the_window_asked(org, people, kind, given, window):
    """What the run keeps names the same window again when the worker builds it."""
    from jiesu.reports import windows

    run = jobs.order_report(
        kind, reach=_reach(people["shuju"]), unit=org["street"], formats=["xlsx"], **given
    )
    assert run.window_name == window
    kept = {k: v for k, v in run.params.items() if v}
    for key in ("date", "start", "end"):
        if key in kept:
            kept[key] = dt.date.fromisoformat(kept[key])
    assert windows.window(kind, now=NOW, **kept).name == window


def test_a_bad_order_is_refused_in_chinese(org, people, client):
    client.force_login(people["zuzhang"])
    response = client.post(
        "/reports/order/", {"kind": "special", "unit": org["street"].pk, "formats": ["pdf"]}
    )
    assert response.status_code == 400 and "专报须填开始和结束日期" in response.content.decode()
    response = client.post(
        "/reports/order/",
        {"kind": "monthly", "period": "2026-13", "unit": org["street"].pk, "formats": ["pdf"]},
    )
    assert response.status_code == 400 and not ReportRun.objects.exists()
    # a unit the reader does not reach is no choice
    response = client.post(
        "/reports/order/",
        {"kind": "monthly", "unit": org["other_street"].pk, "formats": ["pdf"]},
    )
    assert response.status_code == 400 and not ReportRun.objects.exists()
    client.force_login(people["zuoxi"])  # a 坐席员 orders no report
    assert client.post("/reports/order/", {"kind": "daily"}).status_code == 403


# --- templates ---------------------------------------------------------------------------


def _template(text: str) -> bytes:
    from jiesu.reports import documents

    edited = docx.Document(documents.TEMPLATES / "monthly.docx")
    edited.add_paragraph(text)
    out = io.BytesIO()
    edited.save(out)
    return out.getvalue()


def test_template_versions_upload_use_and_go_back(street_period, org, people, client):
    client.force_login(people["shuju"])
    upload = SimpleUploadedFile("我们的月报.docx", _template("本月受理{{ n.received }}件。"))
    response = client.post(
        "/reports/templates/", {"kind": "monthly", "file": upload, "note": "加一句"}
    )
    assert response.status_code == 302
    first = ReportTemplate.objects.get()
    assert (first.version, first.current) == (1, True)
    upload = SimpleUploadedFile("v2.docx", _template("第二版{{ n.received }}。"))
    client.post("/reports/templates/", {"kind": "monthly", "file": upload})
    assert list(ReportTemplate.objects.filter(current=True).values_list("version", flat=True)) == [
        2
    ]
    # a report ordered now uses version 2, and says so
    run = jobs.order_report(
        "monthly",
        reach=_reach(people["shuju"]),
        unit=org["street"],
        formats=["docx"],
        period="2026-10",
    )
    jobs.run_queued(NOW)
    run.refresh_from_db()
    assert run.template.version == 2
    text = "\n".join(p.text for p in docx.Document(jobs.file_of(run, "docx")).paragraphs)
    assert "第二版7。" in text
    # back to version 1, then to the shipped default
    client.post("/reports/templates/monthly/use", {"version": first.pk})
    assert ReportTemplate.objects.get(current=True).version == 1
    client.post("/reports/templates/monthly/use", {})
    assert not ReportTemplate.objects.filter(current=True).exists()
    assert ReportTemplate.objects.count() == 2  # nothing was deleted
    got = client.get("/reports/templates/monthly/1.docx")
    assert b"".join(got.streaming_content)[:2] == b"PK"


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("a.docx", b"not a zip at all", "不是 Word 文档"),
        ("a.txt", b"x", "只能上传 Word 文档"),
        ("a.docx", "BROKEN", "占位符有误"),
        ("a.docx", "ZIPBOMB", "解压后过大"),
    ],
)
def test_a_bad_template_is_refused_and_not_stored(people, client, name, content, said):
    if content == "BROKEN":
        content = _template("{{ n.received ")
    elif content == "ZIPBOMB":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/document.xml", b"<" + b" " * (50 * 1024 * 1024))
        content = out.getvalue()
    client.force_login(people["admin"])
    response = client.post(
        "/reports/templates/", {"kind": "daily", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400 and said in response.content.decode()
    assert not ReportTemplate.objects.exists()


def test_only_data_staff_and_the_administrator_manage_templates(people, client):
    client.force_login(people["zuzhang"])
    assert client.get("/reports/templates/").status_code == 403


def _reach(user):
    from jiesu.org.access import Reach

    return Reach(user, at=NOW)


# --- two worker processes on PostgreSQL ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_build_each_scheduled_report_once(org, tmp_path, settings):
    """Two `jiesu worker --once --now …` started together on the same database, at the
    日报's noon and again a minute later: each of the 9 scheduled reports exists once and
    was built once, by one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("two processes need a database server")
    built = []
    for now in ("2026-12-01T12:00:00+08:00", "2026-12-01T12:01:00+08:00"):
        for out in run_workers(
            now,
            tmp_path=tmp_path,
            JIESU_REPORT_DAILY_AT="12:00",
            JIESU_REPORT_WEEKLY_AT="1 09:00",
            JIESU_REPORT_MONTHLY_AT="19 09:00",
        ):
            built += [int(n) for n in re.findall(r"生成 (\d+) 个", out)]
    # each worker says how many it built: together exactly the nine, none twice
    assert sum(built) == 9
    runs = ReportRun.objects.all()
    assert runs.count() == 9
    assert set(runs.values_list("status", flat=True)) == {RunStatus.DONE}
    assert len({r.schedule_key for r in runs}) == 9
    for run in runs:
        assert (tmp_path / "media" / run.files["xlsx"]).exists()
