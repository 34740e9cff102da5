"""Pre-callbacks, platform callbacks, first and final results, reopening on bad results."""

import datetime as dt

from openpyxl import Workbook

from jiesu.assessment.models import ScoringRule
from jiesu.cases import actions
from jiesu.cases.models import Case, State
from jiesu.intake.importer import import_file
from tests.intake.conftest import HEADER, export_row

GOOD = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}


def test_a_pre_callback_never_scores(people, closed_case):
    case = closed_case("hly")
    actions.perform(
        case,
        "callback",
        by=people["zuoxi"],
        prefix=False,
        data=dict(GOOD, kind="pre", note="居民表示满意"),
    )
    case.refresh_from_db()
    assert case.precallback["callback_solved"] == "solved"
    assert case.callback_valid is None and case.awaiting_callback_at is not None


def test_first_and_final_platform_results_are_kept(people, closed_case):
    case = closed_case("hly")
    actions.perform(
        case,
        "callback",
        by=people["zuoxi"],
        prefix=False,
        data=dict(GOOD, kind="official", solved="partly"),
    )
    actions.perform(
        case, "callback", by=people["zuoxi"], prefix=False, data=dict(GOOD, kind="official")
    )
    case.refresh_from_db()
    assert case.first_callback["callback_solved"] == "partly"
    assert case.callback_solved == "solved"
    assert case.awaiting_callback_at is None


def test_an_unsolved_platform_result_reopens_the_case(people, closed_case):
    case = closed_case("hly")
    actions.perform(
        case,
        "callback",
        by=people["zuoxi"],
        prefix=False,
        data=dict(GOOD, kind="official", solved="unsolved"),
    )
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    reopen = case.events.get(action="reopen")
    assert "未解决" in reopen.reason


def test_the_rule_can_keep_unsatisfied_cases_closed(people, closed_case):
    ScoringRule.objects.create(effective_from=dt.date(2026, 1, 1), reopen_on_unsatisfied=False)
    case = closed_case("hly")
    actions.perform(
        case,
        "callback",
        by=people["zuoxi"],
        prefix=False,
        data=dict(GOOD, kind="official", satisfaction="unsatisfied"),
    )
    assert Case.objects.get(pk=case.pk).state == State.CLOSED


def test_a_platform_result_by_import_updates_and_reopens(
    org, people, categories, closed_case, tmp_path
):
    case = closed_case("hly")
    row = export_row(
        1,
        工单编号=case.platform_no,
        标题=case.title,
        主要内容=case.content,
        来电时间="2026-10-05 09:00:00",
        问题分类="",
        标签="",
        是否有效回访="是",
        是否联系="是",
        是否解决="未解决",
        是否满意="不满意",
    )
    row[HEADER.index("办理时限/截止时间")] = ""
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(row)
    book.save(tmp_path / "callbacks.xlsx")
    run = import_file(
        tmp_path / "callbacks.xlsx", platform="city", street=org["street"], user=people["zuoxi"]
    )
    assert run.updated == 1
    case.refresh_from_db()
    assert case.callback_solved == "unsolved"
    assert case.first_callback["callback_solved"] == "unsolved"
    assert case.state == State.DISPATCHED
