"""Every Excel download goes out through core.workbooks.workbook_response: the xlsx content
type and an RFC 6266 Content-Disposition whose filename* carries the Chinese name."""

import io
from urllib.parse import unquote

from openpyxl import Workbook, load_workbook

from jiesu.core.workbooks import XLSX, ascii_name, attachment, workbook_response
from jiesu.intake.models import ImportRun

LEDGER = "%E5%B7%A5%E5%8D%95%E5%8F%B0%E8%B4%A6"  # 工单台账 in UTF-8, percent-encoded


def test_the_header_names_the_file_twice():
    assert attachment("工单台账-20261201-1010.xlsx") == (
        f"attachment; filename=\"20261201-1010.xlsx\"; filename*=utf-8''{LEDGER}-20261201-1010.xlsx"
    )
    # nothing of the name left in ASCII: a plain fallback; quotes and % never reach it
    assert ascii_name("导入错误-三月导出.xlsx") == "download.xlsx"
    assert ascii_name('a"b%41 c.xlsx') == "a-b-41-c.xlsx"
    assert attachment("a b.xlsx").endswith("filename*=utf-8''a%20b.xlsx")


def test_a_book_its_bytes_or_its_file(db, tmp_path):
    book = Workbook()
    book.active["A1"] = "工单编号"
    path = tmp_path / "book.xlsx"
    book.save(path)
    for given in (book, path.read_bytes(), path, str(path)):
        response = workbook_response(given, "考核成绩-华龙苑.xlsx")
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"].startswith('attachment; filename="download.xlsx"')
        assert _first_row(response) == ("工单编号",)
        response.close()


def _name(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    return unquote(disposition.split("filename*=utf-8''")[1])


def _first_row(response) -> tuple:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return next(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_the_ticked_rows_ledger(client, people, dispatched):
    client.force_login(people["zuoxi"])
    response = client.post("/cases/bulk/", {"bulk_action": "export", "ids": [dispatched.pk]})
    assert _name(response).startswith("工单台账-")
    assert response["Content-Disposition"].split('"')[1].endswith(".xlsx")
    assert _first_row(response)[:2] == ("工单编号", "来源平台")


def test_the_assessment_table_and_drill_down(client, people, org, dispatched):
    client.force_login(people["zuzhang"])
    street = org["street"].pk
    table = client.get(f"/assessment/export.xlsx?period=2026-03&unit={street}")
    assert _name(table) == "考核成绩-霍营街道-2026-03.xlsx"
    assert table["Content-Disposition"].split('"')[1] == "2026-03.xlsx"
    assert _first_row(table)[:3] == ("单位", "受理量", "办结量")
    drill = client.get(
        f"/assessment/cases/export.xlsx?period=2026-03&scope={street}&count=received"
    )
    assert _name(drill) == "考核明细-霍营街道(合计)-2026-03-受理量.xlsx"
    assert _first_row(drill)[0] == "工单编号"


def test_the_import_error_file(client, people, org, tmp_path):
    book = Workbook()
    book.active.append(["行号", "错误"])
    path = tmp_path / "import-1-errors.xlsx"
    book.save(path)
    run = ImportRun.objects.create(
        platform="city",
        file_name="三月导出.xls",
        street=org["street"],
        sha256="",
        status="done",
        failed=1,
        errors_file=str(path),
    )
    client.force_login(people["zuoxi"])
    response = client.get(f"/intake/import/{run.pk}/errors/")
    assert _name(response) == "导入错误-三月导出.xlsx"
    assert _first_row(response) == ("行号", "错误")
