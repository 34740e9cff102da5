"""Importing platform exports: counts, idempotency, updates on the timeline, errors."""

import json

import pytest
import xlwt
from django.core.management import call_command
from openpyxl import load_workbook

from jiesu.cases.models import Case, CaseEvent, Category, Satisfaction, Solved
from jiesu.intake.importer import ImportRefused, import_file
from jiesu.intake.models import ImportRow
from jiesu.org.models import Unit
from tests.conftest import at
from tests.intake.conftest import HEADER, export_row


@pytest.fixture
def run_import(org, people):
    def run(path, **kw):
        return import_file(path, platform="city", street=org["street"], user=people["zuoxi"], **kw)

    return run


def test_xlsx_import_creates_whole_cases(run_import, write_xlsx, categories):
    run = run_import(write_xlsx([export_row(n) for n in range(1, 6)]))
    assert run.summary() == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "warned": 0,
        "unknown_labels": {},
        "errors_file": None,
    }
    case = Case.objects.get(platform_no="20260302000001")
    assert case.category == categories["stalls"]
    assert case.community.name == "华龙苑南里社区"
    assert case.received_at == at("2026-03-02 09:15")
    assert case.platform_due_at == at("2026-03-09 09:15") == case.due_at
    assert case.caller_phone == "13812341234" and case.request_type == "complaint"
    assert [t.name for t in case.tags.all()] == ["每月一题"]
    assert list(case.events.values_list("action", "actor__username")) == [("receive", "zuoxi")]
    assert ImportRow.objects.filter(run=run).count() == 5
    assert ImportRow.objects.get(run=run, row_number=2).raw["工单编号"] == "20260302000001"


def test_reimport_changes_nothing(run_import, write_xlsx, categories):
    path = write_xlsx([export_row(n) for n in range(1, 4)])
    run_import(path)
    events = CaseEvent.objects.count()
    again = run_import(path)
    assert again.summary()["unchanged"] == 3 and again.created == again.updated == 0
    assert CaseEvent.objects.count() == events
    assert Case.objects.count() == 3


def test_newer_export_updates_what_changed_on_the_timeline(run_import, write_xlsx, categories):
    run_import(write_xlsx([export_row(1), export_row(2)]))
    newer = [
        export_row(
            1,
            主要内容="补充:摊贩已增加到十余个",
            是否有效回访="是",
            是否联系="是",
            是否解决="部分解决",
            是否满意="基本满意",
        ),
        export_row(2),
        export_row(3),
    ]
    run = run_import(write_xlsx(newer, name="newer.xlsx"))
    assert (run.created, run.updated, run.unchanged, run.failed) == (1, 1, 1, 0)
    case = Case.objects.get(platform_no="20260302000001")
    assert case.content == "补充:摊贩已增加到十余个"
    assert (case.callback_valid, case.callback_contacted) == (True, True)
    assert (case.callback_solved, case.callback_satisfaction) == (Solved.PARTLY, Satisfaction.BASIC)
    update = case.events.get(action="update")
    assert update.payload["changes"]["content"]["to"] == "补充:摊贩已增加到十余个"
    assert set(update.payload["changes"]) == {
        "content",
        "callback_valid",
        "callback_contacted",
        "callback_solved",
        "callback_satisfaction",
    }


def test_xls_with_three_category_columns(run_import, tmp_path):
    header = ["工单编号", "诉求类型", "一级分类", "二级分类", "三级分类", "标题", "来电时间"]
    book = xlwt.Workbook()
    sheet = book.add_sheet("工单")
    rows = [header, ["A001", "咨询", "公共服务", "供水", "停水", "龙锦苑停水", "2026/3/2 8:05"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "export.xls"
    book.save(str(path))
    run = run_import(path)
    assert run.created == 1
    case = Case.objects.get(platform_no="A001")
    assert case.category.full_name == "公共服务->供水->停水"
    assert case.category.unconfirmed
    assert case.request_type == "consult" and case.received_at == at("2026-03-02 08:05")
    assert case.content == "龙锦苑停水"


def test_gbk_csv(run_import, write_csv, categories):
    path = write_csv([export_row(1), export_row(2, 工单类型="建议")], encoding="gbk")
    run = run_import(path)
    assert run.created == 2
    assert Case.objects.get(platform_no="20260302000002").request_type == "suggestion"


def test_a_missing_column_is_refused_at_once(run_import, write_xlsx):
    header = [h for h in HEADER if h != "来电时间"]
    rows = [[v for h, v in zip(HEADER, export_row(1), strict=True) if h != "来电时间"]]
    with pytest.raises(ImportRefused) as err:
        run_import(write_xlsx(rows, header=header))
    assert "文件缺少必需的列:来电时间" in str(err.value)
    assert Case.objects.count() == 0


def test_broken_rows_are_reported_and_good_rows_land(run_import, write_xlsx, categories):
    rows = [
        export_row(1),
        export_row(2, 来电时间="昨天上午"),
        export_row(3, 工单类型="@SUM(A1:A9)"),
        export_row(4, 工单编号=""),
        export_row(5),
    ]
    run = run_import(write_xlsx(rows))
    assert (run.created, run.failed, run.warned) == (3, 2, 1)
    book = load_workbook(run.errors_file)
    lines = list(book["导入错误"].iter_rows(values_only=True))
    assert lines[0] == ("行号", "列", "值", "原因")
    assert lines[1] == (3, "来电时间", "昨天上午", "无法识别的日期时间")
    assert lines[2] == (5, "工单编号", None, "必填,不能为空")
    notes = list(book["提示(已导入)"].iter_rows(values_only=True))
    assert notes[0] == ("行号", "工单编号", "列", "值", "说明")
    # kept as text, never a formula
    assert notes[1] == (
        4,
        "20260302000003",
        "诉求类型",
        "'@SUM(A1:A9)",
        "未识别,暂按“其他”导入",
    )
    assert set(Case.objects.values_list("platform_no", flat=True)) == {
        "20260302000001",
        "20260302000003",
        "20260302000005",
    }
    failed = ImportRow.objects.filter(outcome="failed").order_by("row_number")
    assert [r.message for r in failed] == [
        "来电时间:无法识别的日期时间(原值“昨天上午”)",
        "工单编号:必填,不能为空",
    ]


def test_all_or_nothing_lands_nothing_when_a_row_fails(run_import, write_xlsx, categories):
    run = run_import(write_xlsx([export_row(1), export_row(2, 来电时间="?")]), all_or_nothing=True)
    assert (run.created, run.failed) == (0, 1)
    assert "未导入任何工单" in run.message
    assert Case.objects.count() == 0


def test_unknown_community_is_created_to_be_confirmed(run_import, write_xlsx, categories, org):
    run_import(write_xlsx([export_row(1, **{"村/社区": "霍营新村"})]))
    unit = Unit.objects.get(name="霍营新村")
    assert unit.unconfirmed and unit.kind == "village" and unit.parent == org["street"]
    assert Case.objects.get().community == unit


def test_file_size_cap(run_import, write_xlsx, settings):
    settings.JIESU_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRefused) as err:
        run_import(write_xlsx([export_row(1)]))
    assert "超过" in str(err.value)


def test_command_prints_a_json_summary(write_xlsx, org, people, categories, capsys):
    path = write_xlsx([export_row(1), export_row(2, 来电时间="")])
    call_command("import", str(path), "--platform", "district", "--json", "--user", "zuoxi")
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("created", "updated", "unchanged", "failed")} == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert summary["errors_file"].endswith("-errors.xlsx")
    assert Case.objects.get().platform == "district"
    assert Category.objects.filter(unconfirmed=True).count() == 0
