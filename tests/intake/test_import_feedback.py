"""What the import pages tell: the first failed rows and why, a clear refusal of a file that
is no spreadsheet, the error workbook's name, Beijing time, every run shown whoever (or
nobody) started it, and categories an import created marked 待确认 wherever one is picked."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jiesu.cases.models import Category
from jiesu.insights.routing import suggest
from jiesu.intake.models import ImportRun, ImportStatus
from jiesu.intake.views import errors_download_name
from jiesu.knowledge.models import RoutingRule
from tests.intake.conftest import export_row

BAD = export_row(2, 来电时间="不详")


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.JIESU_IMPORT_IN_BACKGROUND = False


def upload(client, name, data, platform="city"):
    file = SimpleUploadedFile(name, data)
    return client.post("/intake/import/", {"platform": platform, "file": file}, follow=True)


def test_the_first_twenty_failed_rows_and_why(client, people, categories, write_xlsx):
    rows = [export_row(n, 来电时间="不详" if n % 2 else "2026-03-02 09:15:00") for n in range(50)]
    client.force_login(people["zuoxi"])
    with open(write_xlsx(rows), "rb") as f:
        page = upload(client, "export.xlsx", f.read()).content.decode()
    assert "失败 <strong>25</strong> 行" in page
    assert page.count("data-failed-row=") == 20
    assert "前 20 行,共 25 行,全部见错误明细" in page
    # rows 1, 3, 5 … of the data are lines 3, 5, 7 … of the sheet
    assert 'data-failed-row="3"' in page and 'data-failed-row="41"' in page
    assert 'data-failed-row="43"' not in page
    assert "来电时间:无法识别的日期时间(原值“不详”)" in page


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("报表.pdf", b"%PDF-1.4", "不支持的文件类型“.pdf”"),
        ("导出", b"a,b", "不支持的文件类型“无扩展名”"),
        ("空的.xlsx", b"", "上传的文件是空的"),
    ],
)
def test_a_file_that_is_no_spreadsheet_is_refused_in_chinese(client, people, name, data, says):
    client.force_login(people["zuoxi"])
    response = upload(client, name, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert says in page and "只能导入平台导出的 Excel 文件(.xlsx、.xls)或 CSV 文件" in page
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("改了扩展名.xlsx", b"<html><table><tr><td>1</td></tr></table></html>", "不是有效的 Excel"),
        ("网页.xls", b"<html><table><tr><td>1</td></tr></table></html>", "不是有效的 Excel"),
        ("截断.xlsx", b"PK\x03\x04" + b"\x00" * 40, "不是有效的 Excel"),
    ],
)
def test_a_damaged_file_says_what_was_expected(client, people, name, data, says):
    client.force_login(people["zuoxi"])
    page = upload(client, name, data).content.decode()
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert says in run.message and "只能导入平台导出的 Excel 文件" in run.message
    assert "Error" not in run.message and says in page


def test_the_error_workbook_is_named_xlsx_once(client, people, categories, write_xlsx):
    client.force_login(people["zuoxi"])
    with open(write_xlsx([export_row(1), BAD]), "rb") as f:
        upload(client, "三月导出.xlsx", f.read())
    run = ImportRun.objects.get()
    disposition = client.get(f"/intake/import/{run.pk}/errors/")["Content-Disposition"]
    name = unquote(disposition.split("filename*=utf-8''")[1])
    assert name == "导入错误-三月导出.xlsx"
    assert errors_download_name("export.csv") == "导入错误-export.xlsx"
    assert errors_download_name("export.XLSX") == "导入错误-export.xlsx"
    assert errors_download_name("接口:zuoxi") == "导入错误-接口:zuoxi.xlsx"


def test_times_are_beijing_time_whatever_the_server_zone(client, people, org, settings):
    settings.TIME_ZONE = "UTC"
    run = ImportRun.objects.create(
        platform="city", file_name="夜班.xlsx", street=org["street"], sha256="", status="done"
    )
    at = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 2026-03-02 00:30 in Beijing
    ImportRun.objects.filter(pk=run.pk).update(started_at=at, finished_at=at)
    client.force_login(people["zuoxi"])
    assert "2026-03-02 00:30" in client.get("/intake/import/").content.decode()
    page = client.get(f"/intake/import/{run.pk}/").content.decode()
    assert "开始于 2026-03-02 00:30:00" in page and "(北京时间)" in page


def test_runs_nobody_started_are_shown_on_every_page(client, people, org, categories, write_xlsx):
    """`jiesu import` without --user leaves started_by empty; the pages used to answer 500."""
    call_command(
        "import",
        str(write_xlsx([export_row(1), BAD])),
        "--platform",
        "city",
        "--street",
        "霍营街道",
        "--json",
    )
    for status in ImportStatus.values:
        ImportRun.objects.create(
            platform="district",
            file_name=f"{status}.xlsx",
            street=org["street"],
            sha256="",
            status=status,
            message="进程中断" if status == "failed" else "",
        )
    client.force_login(people["zuoxi"])
    page = client.get("/intake/import/")
    assert page.status_code == 200
    runs = ImportRun.objects.all()
    assert all(r.started_by is None for r in runs) and runs.count() == 5
    assert page.content.decode().count("data-import-run=") == 5
    for run in runs:
        assert client.get(f"/intake/import/{run.pk}/").status_code == 200
        assert client.get(f"/intake/import/{run.pk}/progress/").status_code == 200


@pytest.fixture
def new_category(client, people, categories, write_xlsx):
    client.force_login(people["zuoxi"])
    rows = [export_row(1, 问题分类="城乡建设->市容环卫->共享单车乱停")]
    with open(write_xlsx(rows), "rb") as f:
        upload(client, "export.xlsx", f.read())
    category = Category.objects.get(name="共享单车乱停")
    assert category.unconfirmed
    return category


MARKED = "城乡建设-&gt;市容环卫-&gt;共享单车乱停(待确认)"


def test_unconfirmed_categories_are_marked_where_they_are_picked(client, people, org, new_category):
    client.force_login(people["zuzhang"])
    assert MARKED in client.get("/cases/").content.decode()  # the case list's filter
    assert MARKED in client.get("/rules/").content.decode()  # the routing rule form
    rule = RoutingRule.objects.create(category=new_category, unit=org["office"])
    assert "共享单车乱停(待确认)" in client.get("/rules/").content.decode()  # the rule list
    case = rule.category.case_set.get()
    assert [s.reason for s in suggest(case)][0].endswith("共享单车乱停(待确认)")  # dispatch
    assert (
        "城乡建设-&gt;市容环卫-&gt;占道经营(待确认)" not in client.get("/cases/").content.decode()
    )


def test_a_confirmed_category_is_no_longer_marked(client, people, org, new_category):
    client.force_login(people["zuzhang"])
    client.post(f"/intake/import/mappings/categories/{new_category.pk}/confirm/")
    new_category.refresh_from_db()
    assert not new_category.unconfirmed
    RoutingRule.objects.create(category=new_category, unit=org["office"])
    assert "(待确认)" not in client.get("/rules/").content.decode()
    assert "(待确认)" not in client.get("/cases/").content.decode()
