"""Ledgers (台账): each kind opened with openpyxl and checked against hand-built cases and
the API's count for the same filter; personal data masked unless revealed, and a reveal
logged; the command writes the same rows."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from jiesu.assessment import applications
from jiesu.assessment.models import ExemptionGround
from jiesu.audit.models import AuditEvent, Kind
from jiesu.cases import workflow
from tests.conftest import at

PERIOD = "2026-11"  # 2026-10-19 00:00 to 2026-11-19 00:00, Beijing time
PHONE, NAME = "13812341234", "张三"


@pytest.fixture
def book(make_case, closed_case, people, org):
    """Seven cases of 霍营街道 in period 2026-11, one before it, one of 回龙观街道 in it."""
    zx, zz = people["zuoxi"], people["zuzhang"]
    cases = {}
    cases["closed"] = closed_case("hly", when="2026-11-02 09:00")
    ground = ExemptionGround.objects.filter(active=True).first()
    cases["application"] = applications.create(
        cases["closed"], by=zz, kind="exemption", ground=ground, explanation="诉求人反复来电。"
    )
    cases["returned"] = make_case(received_at=at("2026-11-03 10:00"))
    workflow.return_case(
        cases["returned"], by=zx, reason=f"非本辖区,来电人{PHONE}。", at=at("2026-11-03 10:30")
    )
    cases["disputed"] = make_case(received_at=at("2026-11-03 11:00"))
    workflow.sign(cases["disputed"], by=zx, at=at("2026-11-03 11:05"))
    workflow.dispute(
        cases["disputed"], by=zx, reason="属区城管委直管路段。", at=at("2026-11-03 12:00")
    )
    cases["open"] = make_case(received_at=at("2026-11-04 09:00"))
    workflow.sign(cases["open"], by=zx, at=at("2026-11-04 09:10"))
    workflow.dispatch(cases["open"], by=zx, lead_unit=org["hly"], at=at("2026-11-04 09:30"))
    shelved = make_case(received_at=at("2026-10-20 09:00"))
    workflow.sign(shelved, by=zx, at=at("2026-10-20 09:10"))
    workflow.dispatch(shelved, by=zx, lead_unit=org["office"], at=at("2026-10-20 09:30"))
    workflow.note(shelved, by=zz, text="挂账前的备注", at=at("2026-10-22 09:00"))
    workflow.shelve(shelved, by=zz, reason="涉及拆迁,需长期协调。", at=at("2026-10-25 10:00"))
    workflow.note(shelved, by=zz, text="十月:已约谈产权单位。", at=at("2026-10-28 15:00"))
    workflow.note(shelved, by=zz, text=f"十一月:联系{NAME}说明进度。", at=at("2026-11-05 15:00"))
    workflow.note(shelved, by=zz, text="十一月:方案报区里。", at=at("2026-11-12 15:00"))
    cases["shelved"] = shelved
    cases["plain"] = make_case(received_at=at("2026-11-18 23:30"))
    cases["before"] = make_case(received_at=at("2026-10-18 23:59"))  # period 2026-10
    cases["elsewhere"] = make_case(
        received_at=at("2026-11-06 09:00"),
        street=org["other_street"],
        community=org["elsewhere"],
    )
    return cases


def _sheet(content: bytes):
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]], book


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content)
    return _sheet(content)


def _all_text(book) -> str:
    return " ".join(
        str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v
    )


def _api_count(client, query: str) -> int:
    return client.get(f"/api/v1/cases?{query}").json()["count"]


def test_every_case_of_the_period(client, people, org, book):
    client.force_login(people["zuzhang"])
    header, rows, workbook = _download(client, f"/reports/ledgers/?kind=all&period={PERIOD}")
    assert header[:3] == ("工单编号", "来源平台", "诉求类型")
    assert "来电人电话" in header and "是否满意" in header
    numbers = {r["工单编号"] for r in rows}
    # the seven cases of the street received 10-19 … 11-18; not the one before, not elsewhere
    assert len(rows) == 6  # closed, returned, disputed, open, shelved, plain
    assert book["before"].platform_no not in numbers
    assert book["elsewhere"].platform_no not in numbers
    api = _api_count(client, "received_from=2026-10-19&received_to=2026-11-18")
    assert api == len(rows)
    # Beijing time, as the platform shows it, without a zone
    plain = next(r for r in rows if r["工单编号"] == book["plain"].platform_no)
    assert plain["来电时间"] == dt.datetime(2026, 11, 18, 23, 30)
    # masked: no full phone or name anywhere, the export logged with its count
    text = _all_text(workbook)
    assert PHONE not in text and NAME not in text
    assert plain["来电人电话"] == "138****1234"
    event = AuditEvent.objects.filter(kind=Kind.EXPORT).get()
    assert event.detail["count"] == 6
    assert event.detail["filters"] == {"kind": "all", "period": PERIOD}
    assert workbook.worksheets[1].title == "导出说明"
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet.cell(row=2, column=header.index("来电时间") + 1).is_date
    # one unit: as the list's and the API's 承办单位 filter (the shelved case's lead unit)
    office = org["office"].pk
    _, rows, _ = _download(client, f"/reports/ledgers/?kind=all&period={PERIOD}&unit={office}")
    assert [r["工单编号"] for r in rows] == [book["shelved"].platform_no]
    assert _api_count(client, f"unit={office}&received_from=2026-10-19") == 1


def test_revealed_only_when_asked_and_allowed_and_then_logged(client, people, book):
    client.force_login(people["zuzhang"])
    _, rows, workbook = _download(client, f"/reports/ledgers/?kind=all&period={PERIOD}&reveal=on")
    assert {r["来电人电话"] for r in rows} == {PHONE}
    assert {r["来电人"] for r in rows} == {NAME}
    event = AuditEvent.objects.filter(kind=Kind.EXPORT).get()
    assert event.detail["filters"]["reveal"] is True
    # a 数据专员 holds no PII role: the box is not offered and a forged one reveals nothing
    client.force_login(people["shuju"])
    page = client.get("/reports/ledgers/").content.decode()
    assert 'name="reveal"' not in page
    _, rows, workbook = _download(client, f"/reports/ledgers/?kind=all&period={PERIOD}&reveal=on")
    assert len(rows) == 6
    assert PHONE not in _all_text(workbook)
    assert "reveal" not in AuditEvent.objects.filter(kind=Kind.EXPORT).first().detail["filters"]


def test_returned_cases_with_their_kind_and_reason(client, people, book):
    client.force_login(people["zuzhang"])
    _, rows, workbook = _download(client, f"/reports/ledgers/?kind=returned&period={PERIOD}")
    by_no = {r["工单编号"]: r for r in rows}
    assert set(by_no) == {book["returned"].platform_no, book["disputed"].platform_no}
    returned = by_no[book["returned"].platform_no]
    assert returned["退回类型"] == "退回"
    assert returned["退回时间"] == dt.datetime(2026, 11, 3, 10, 30)
    assert returned["退回原因"] == "非本辖区,来电人138****1234。"
    assert by_no[book["disputed"].platform_no]["退回类型"] == "派单异议"
    assert PHONE not in _all_text(workbook)


def test_shelved_cases_with_two_months_of_progress(client, people, book):
    client.force_login(people["zuzhang"])
    _, rows, workbook = _download(client, f"/reports/ledgers/?kind=shelved&period={PERIOD}")
    assert [r["工单编号"] for r in rows] == [book["shelved"].platform_no]
    row = rows[0]
    assert row["挂账时间"] == dt.datetime(2026, 10, 25, 10, 0)
    assert row["挂账原因"] == "涉及拆迁,需长期协调。"
    assert row["有进展的月数"] == 2
    lines = row["月度进展"].split("\n")
    assert lines[0] == "2026-10 备注:十月:已约谈产权单位。"
    assert lines[1].startswith("2026-11 备注:十一月:联系")
    assert lines[1].endswith(";备注:十一月:方案报区里。")
    assert "挂账前" not in row["月度进展"]
    assert NAME not in _all_text(workbook)
    assert _api_count(client, "queue=shelved") == 1


def test_overdue_and_exempted(client, people, book):
    client.force_login(people["zuzhang"])
    # the dispatched case is past its due time today; the others are closed in time,
    # returned (no clock) or shelved (no clock)
    _, rows, _ = _download(client, f"/reports/ledgers/?kind=overdue&period={PERIOD}")
    numbers = {r["工单编号"] for r in rows}
    assert book["open"].platform_no in numbers
    assert book["closed"].platform_no not in numbers
    open_row = next(r for r in rows if r["工单编号"] == book["open"].platform_no)
    assert open_row["超期情形"] == "在办超期" and open_row["超期时长(小时)"] > 0
    # 在办超期 rows are the 超期 queue's cases of the period (plain, received at 23:30 on
    # the 18th, waits for signing since 00:00: also overdue)
    in_queue = _api_count(client, "queue=overdue&received_from=2026-10-19&received_to=2026-11-18")
    assert sum(r["超期情形"] == "在办超期" for r in rows) == in_queue == 2
    _, rows, _ = _download(client, f"/reports/ledgers/?kind=exempted&period={PERIOD}")
    assert len(rows) == 1
    assert rows[0]["工单编号"] == book["closed"].platform_no
    assert rows[0]["申请类型"] == "不纳入考核"
    assert rows[0]["申请状态"] == "草稿"
    assert rows[0]["考核周期"] == PERIOD


def test_the_list_button_exports_the_whole_filtered_list(client, people, book):
    client.force_login(people["zuoxi"])
    page = client.get("/cases/?state=dispatched").content.decode()
    assert 'data-action="export-ledger"' in page
    assert '<input type="hidden" name="state" value="dispatched">' in page
    _, rows, _ = _download(client, "/reports/ledgers/list.xlsx?state=dispatched")
    assert [r["工单编号"] for r in rows] == [book["open"].platform_no]
    assert len(rows) == _api_count(client, "state=dispatched")
    # a queue: the same rows as the queue's count
    page = client.get("/queues/overdue/").content.decode()
    assert '<input type="hidden" name="queue" value="overdue">' in page
    _, rows, _ = _download(client, "/reports/ledgers/list.xlsx?queue=overdue")
    assert len(rows) == _api_count(client, "queue=overdue") == 3  # open, plain, before
    # no more than the reach: 回龙观's operator gets only their street's case
    client.force_login(people["outsider"])
    _, rows, _ = _download(client, "/reports/ledgers/list.xlsx")
    assert [r["工单编号"] for r in rows] == [book["elsewhere"].platform_no]


def test_the_drill_down_button(client, people, org, book):
    client.force_login(people["zuzhang"])
    query = f"period={PERIOD}&scope={org['street'].pk}&count=received"
    page = client.get(f"/assessment/cases/?{query}").content.decode()
    shown = int(re.search(r'data-count="(\d+)"', page).group(1))
    assert '<input type="hidden" name="drill" value="1">' in page
    _, rows, _ = _download(client, f"/reports/ledgers/list.xlsx?drill=1&{query}")
    assert len(rows) == shown
    assert AuditEvent.objects.filter(kind=Kind.EXPORT).get().detail["what"] == "考核明细台账"


def test_the_command_writes_the_same_rows(client, people, book, tmp_path):
    client.force_login(people["zuzhang"])
    _, web_rows, _ = _download(client, f"/reports/ledgers/?kind=all&period={PERIOD}")
    out = tmp_path / "ledger.xlsx"
    call_command("report", "ledger", "--period", PERIOD, "--out", str(out), "--user", "zuzhang")
    _, rows, _ = _sheet(out.read_bytes())
    assert rows == web_rows
    # as the system: every street, personal data masked
    call_command("report", "ledger", "--period", PERIOD, "--out", str(out))
    _, rows, workbook = _sheet(out.read_bytes())
    assert len(rows) == 7
    assert PHONE not in _all_text(workbook)
    call_command("report", "ledger", "--period", PERIOD, "--kind", "shelved", "--out", str(out))
    assert [r["工单编号"] for r in _sheet(out.read_bytes())[1]] == [book["shelved"].platform_no]
    with pytest.raises(CommandError, match="须带 --user"):
        call_command("report", "ledger", "--reveal", "--out", str(out))
    last = AuditEvent.objects.filter(kind=Kind.EXPORT).first()
    assert last.detail["count"] == 1 and last.detail["filters"]["kind"] == "shelved"


def test_a_large_ledger_is_written_by_the_worker_with_its_progress(
    client, people, book, monkeypatch, django_capture_on_commit_callbacks
):
    """Over the page's limit the ledger goes to the worker: the page shows its progress,
    the file has the same rows as the page would have sent, and the export is logged."""
    from jiesu.reports import jobs, views
    from jiesu.reports.models import ReportRun, RunStatus

    client.force_login(people["zuzhang"])
    at_once = client.get(f"/reports/ledgers/?kind=all&period={PERIOD}")
    _, web_rows, _ = _sheet(b"".join(at_once.streaming_content))
    monkeypatch.setattr(views, "BACKGROUND_ROWS", 5)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 3)
    response = client.get(f"/reports/ledgers/?kind=all&period={PERIOD}")
    run = ReportRun.objects.get(kind="ledger")
    assert response.status_code == 302 and response["Location"] == f"/reports/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "已转入后台生成" in page and "排队中" in page
    assert run.total_rows == len(web_rows) == 6  # closed, returned, disputed, open, shelved, plain
    assert jobs.run_queued() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.done_rows == 6
    page = client.get(f"/reports/runs/{run.pk}/").content.decode()
    assert 'max="6" value="6"' in page
    download = client.get(f"/reports/runs/{run.pk}/xlsx")
    _, rows, workbook = _sheet(b"".join(download.streaming_content))
    assert rows == web_rows
    assert PHONE not in _all_text(workbook)
    logged = AuditEvent.objects.filter(kind=Kind.EXPORT).first()
    assert logged.detail["what"].endswith("(后台生成)") and logged.detail["count"] == 6
    # a ledger is its asker's: another reader of the same street does not see it
    client.force_login(people["shuju"])
    assert client.get(f"/reports/runs/{run.pk}/xlsx").status_code == 404


def test_the_other_kinds_go_to_the_documents_module(org, tmp_path):
    import importlib.util

    out = tmp_path / "m.xlsx"
    args = ["report", "monthly", "--period", PERIOD, "--format", "xlsx", "--out", str(out)]
    if importlib.util.find_spec("jiesu.reports.documents") is None:
        with pytest.raises(CommandError, match="尚未提供"):
            call_command(*args)
        return
    call_command(*args)
    assert load_workbook(out).sheetnames
    with pytest.raises(CommandError, match="2026-13"):
        call_command("report", "monthly", "--period", "2026-13", "--out", str(out))


@pytest.mark.parametrize("kind", ["all", "returned", "exempted", "shelved", "overdue"])
def test_a_ledger_reads_in_a_fixed_number_of_queries(
    people, book, kind, django_assert_max_num_queries
):
    """No query per row: every column a ledger writes is loaded with its rows (a deferred
    field read row by row would be a query per case)."""
    from jiesu.org.access import Reach
    from jiesu.reports import ledgers

    reach = Reach(people["zuzhang"])
    for reveal in (False, True):
        ledger = ledgers.build(kind, reach.cases(), reach=reach, reveal=reveal)
        with django_assert_max_num_queries(2):
            assert ledgers.write(ledger, io.BytesIO()) >= 1
