"""Pre-callbacks, platform callbacks, first and final results, reopening on bad results."""

import datetime as dt

import pytest
from openpyxl import Workbook

from jiesu.assessment.models import ScoringRule
from jiesu.cases import actions, workflow
from jiesu.cases.models import Case, State
from jiesu.intake.importer import import_file
from tests.conftest import at
from tests.intake.conftest import HEADER, export_row

GOOD = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}
# How a case came to be closed: the reviewer approved the unit's reply, or the desk
# answered it itself without dispatching (办结); bad callbacks treat both alike.
CLOSINGS = ["reviewed", "desk"]


@pytest.fixture
def closed(closed_case, make_case, people):
    """A case received 2026-10-05 and closed by `closing`, waiting for its callback."""

    def make(closing):
        if closing == "reviewed":
            return closed_case("hly")
        case = make_case(received_at=at("2026-10-05 09:00"), evaluation_type="full")
        workflow.sign(case, by=people["zuoxi"], at=at("2026-10-05 09:05"))
        return workflow.close(
            case, by=people["zuoxi"], answer="已告知诉求人办理流程", at=at("2026-10-05 09:30")
        )

    return make


def official(case, by, **result):
    actions.perform(
        case, "callback", by=by, prefix=False, data=dict(GOOD, kind="official", **result)
    )
    return Case.objects.get(pk=case.pk)


def outcome(case) -> tuple:
    """What a bad callback did, apart from where the case went back to."""
    reopen = case.events.filter(action="reopen").first()
    return (
        case.state != State.CLOSED,
        reopen and reopen.reason,
        case.closed_at,
        case.awaiting_callback_at,
        case.callback_solved,
        case.callback_satisfaction,
        case.first_callback["callback_solved"],
    )


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


@pytest.mark.parametrize("result", [{"solved": "unsolved"}, {"satisfaction": "unsatisfied"}])
def test_a_desk_closed_case_is_reopened_by_the_same_rule(people, closed, result):
    reviewed, desk = (official(closed(c), people["zuoxi"], **result) for c in CLOSINGS)
    assert outcome(desk) == outcome(reviewed)
    assert outcome(desk)[:2] == (
        True,
        f"平台回访结果为“{'未解决' if 'solved' in result else '不满意'}”,按规则重办。",
    )
    # the unit works on its own case again; the desk's own case goes back to the desk
    assert (reviewed.state, desk.state) == (State.DISPATCHED, State.ACCEPTED)
    assert desk.lead_unit is None and desk.events.last().to_state == State.ACCEPTED


def test_a_reopened_desk_case_can_be_dispatched_and_answered_again(people, org, closed):
    case = official(closed("desk"), people["zuoxi"], solved="unsolved")
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["hly"])
    assert case.state == State.DISPATCHED and case.lead_unit == org["hly"]
    again = official(closed("desk"), people["zuoxi"], solved="unsolved")
    workflow.close(again, by=people["zuoxi"], answer="再次答复并说明")
    assert Case.objects.get(pk=again.pk).state == State.CLOSED


@pytest.mark.parametrize("closing", CLOSINGS)
def test_the_rule_keeps_unsatisfied_cases_closed_on_either_path(people, closed, closing):
    ScoringRule.objects.create(effective_from=dt.date(2026, 1, 1), reopen_on_unsatisfied=False)
    case = official(closed(closing), people["zuoxi"], satisfaction="unsatisfied")
    assert case.state == State.CLOSED and not case.events.filter(action="reopen").exists()


@pytest.mark.parametrize("closing", CLOSINGS)
def test_a_good_result_leaves_either_case_closed(people, closed, closing):
    case = official(closed(closing), people["zuoxi"])
    assert case.state == State.CLOSED and case.awaiting_callback_at is None


def test_an_imported_bad_result_reopens_a_desk_closed_case_too(
    org, people, categories, closed, tmp_path
):
    reopened = []
    for closing in CLOSINGS:
        case = closed(closing)
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
            是否满意="满意",
        )
        row[HEADER.index("办理时限/截止时间")] = ""
        row[HEADER.index("主办单位")] = ""
        book = Workbook()
        book.active.append(HEADER)
        book.active.append(row)
        book.save(tmp_path / f"{closing}.xlsx")
        run = import_file(
            tmp_path / f"{closing}.xlsx",
            platform="city",
            street=org["street"],
            user=people["zuoxi"],
        )
        assert run.updated == 1
        reopened.append(Case.objects.get(pk=case.pk))
    reviewed, desk = reopened
    assert (
        outcome(desk)[:2] == outcome(reviewed)[:2] == (True, "平台回访结果为“未解决”,按规则重办。")
    )
    assert (reviewed.state, desk.state) == (State.DISPATCHED, State.ACCEPTED)
