"""Pre-callbacks, platform callbacks, first and final results, reopening on bad results.

A bad result reopens the case after the callback's transaction commits (assessment listens
at the workflow's event door), so tests that expect a reopening record the callback inside
`django_capture_on_commit_callbacks(execute=True)`."""

import datetime as dt

import pytest
from openpyxl import Workbook

from jiesu.assessment.models import ScoringRule
from jiesu.cases import submit, workflow
from jiesu.cases.errors import RoleRefused
from jiesu.cases.models import Case, State
from jiesu.intake.importer import import_file
from tests.conftest import at
from tests.intake.conftest import HEADER, export_row

GOOD = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}
# How a case came to be closed: the reviewer approved the unit's reply, or the desk
# answered it itself without dispatching (办结); bad callbacks treat both alike.
CLOSINGS = ["reviewed", "desk"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what follows a step's commit (the reopening) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


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


def official(case, by, committed, **result):
    with committed():
        submit.perform(
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


def results_file(path, case, *, solved, satisfied, blank=("办理时限/截止时间",)):
    """A one-row platform export carrying a callback result for `case`."""
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
        是否解决=solved,
        是否满意=satisfied,
    )
    for column in blank:
        row[HEADER.index(column)] = ""
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(row)
    book.save(path)
    return path


def test_a_pre_callback_never_scores(people, closed_case):
    case = closed_case("hly")
    submit.perform(
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
    submit.perform(
        case,
        "callback",
        by=people["zuoxi"],
        prefix=False,
        data=dict(GOOD, kind="official", solved="partly"),
    )
    submit.perform(
        case, "callback", by=people["zuoxi"], prefix=False, data=dict(GOOD, kind="official")
    )
    case.refresh_from_db()
    assert case.first_callback["callback_solved"] == "partly"
    assert case.callback_solved == "solved"
    assert case.awaiting_callback_at is None


def test_an_unsolved_platform_result_reopens_the_case(people, closed_case, committed):
    case = official(closed_case("hly"), people["zuoxi"], committed, solved="unsolved")
    assert case.state == State.DISPATCHED
    reopen = case.events.get(action="reopen")
    assert "未解决" in reopen.reason


def test_the_rule_can_keep_unsatisfied_cases_closed(people, closed_case, committed):
    ScoringRule.objects.create(effective_from=dt.date(2026, 1, 1), reopen_on_unsatisfied=False)
    case = official(closed_case("hly"), people["zuoxi"], committed, satisfaction="unsatisfied")
    assert Case.objects.get(pk=case.pk).state == State.CLOSED


def test_a_platform_result_by_import_updates_and_reopens(
    org, people, categories, closed_case, tmp_path, committed
):
    case = closed_case("hly")
    path = results_file(tmp_path / "callbacks.xlsx", case, solved="未解决", satisfied="不满意")
    with committed():
        run = import_file(path, platform="city", street=org["street"], user=people["zuoxi"])
    assert run.updated == 1
    case.refresh_from_db()
    assert case.callback_solved == "unsolved"
    assert case.first_callback["callback_solved"] == "unsolved"
    assert case.state == State.DISPATCHED


@pytest.mark.parametrize("result", [{"solved": "unsolved"}, {"satisfaction": "unsatisfied"}])
def test_a_desk_closed_case_is_reopened_by_the_same_rule(people, closed, committed, result):
    reviewed, desk = (official(closed(c), people["zuoxi"], committed, **result) for c in CLOSINGS)
    assert outcome(desk) == outcome(reviewed)
    assert outcome(desk)[:2] == (
        True,
        f"平台回访结果为“{'未解决' if 'solved' in result else '不满意'}”,按规则重办。",
    )
    # the unit works on its own case again; the desk's own case goes back to the desk
    assert (reviewed.state, desk.state) == (State.DISPATCHED, State.ACCEPTED)
    assert desk.lead_unit is None and desk.events.last().to_state == State.ACCEPTED


def test_a_reopened_desk_case_can_be_dispatched_and_answered_again(people, org, closed, committed):
    case = official(closed("desk"), people["zuoxi"], committed, solved="unsolved")
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["hly"])
    assert case.state == State.DISPATCHED and case.lead_unit == org["hly"]
    again = official(closed("desk"), people["zuoxi"], committed, solved="unsolved")
    workflow.close(again, by=people["zuoxi"], answer="再次答复并说明")
    assert Case.objects.get(pk=again.pk).state == State.CLOSED


@pytest.mark.parametrize("closing", CLOSINGS)
def test_the_rule_keeps_unsatisfied_cases_closed_on_either_path(people, closed, committed, closing):
    ScoringRule.objects.create(effective_from=dt.date(2026, 1, 1), reopen_on_unsatisfied=False)
    case = official(closed(closing), people["zuoxi"], committed, satisfaction="unsatisfied")
    assert case.state == State.CLOSED and not case.events.filter(action="reopen").exists()


@pytest.mark.parametrize("closing", CLOSINGS)
def test_a_good_result_leaves_either_case_closed(people, closed, committed, closing):
    case = official(closed(closing), people["zuoxi"], committed)
    assert case.state == State.CLOSED and case.awaiting_callback_at is None


def test_an_imported_bad_result_reopens_a_desk_closed_case_too(
    org, people, categories, closed, tmp_path, committed
):
    reopened = []
    for closing in CLOSINGS:
        case = closed(closing)
        path = results_file(
            tmp_path / f"{closing}.xlsx",
            case,
            solved="未解决",
            satisfied="满意",
            blank=("办理时限/截止时间", "主办单位"),
        )
        with committed():
            run = import_file(path, platform="city", street=org["street"], user=people["zuoxi"])
        assert run.updated == 1
        reopened.append(Case.objects.get(pk=case.pk))
    reviewed, desk = reopened
    assert (
        outcome(desk)[:2] == outcome(reviewed)[:2] == (True, "平台回访结果为“未解决”,按规则重办。")
    )
    assert (reviewed.state, desk.state) == (State.DISPATCHED, State.ACCEPTED)


BAD = dict(GOOD, solved="unsolved")
REOPENED = "平台回访结果为“未解决”,按规则重办。"


def after_closing(case) -> list[tuple]:
    """The callback and what followed it: action, who, from and to, reason, payload."""
    return [
        (e.action, e.actor, e.from_state, e.to_state, e.reason, e.payload)
        for e in case.events.filter(action__in=["callback", "reopen"]).order_by("at", "id")
    ]


@pytest.mark.parametrize("recorder", ["shuju", None])
def test_a_bad_result_reopens_whoever_recorded_it(people, closed_case, committed, recorder):
    """A 数据专员 may record a callback but not reopen, an import may run with no user: the
    system reopens the case all the same (it used to stay in 待回访)."""
    case = closed_case("hly")
    by = people[recorder] if recorder else None
    if recorder:
        with pytest.raises(RoleRefused):
            workflow.check(case, "reopen", by)
    with committed():
        workflow.callback(case, by=by, **BAD, source="import" if by is None else "")
    assert after_closing(case) == [
        (
            "callback",
            by,
            State.CLOSED,
            State.CLOSED,
            "",
            {
                "callback_valid": True,
                "callback_contacted": True,
                "callback_solved": "unsolved",
                "callback_satisfaction": "satisfied",
                "kind": "official",
                **({"source": "import"} if by is None else {}),
            },
        ),
        ("reopen", None, State.CLOSED, State.DISPATCHED, REOPENED, {}),
    ]
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.closed_at, case.awaiting_callback_at) == (State.DISPATCHED, None, None)


def test_a_pre_callback_never_reopens(people, closed_case, committed):
    case = closed_case("hly")
    with committed():
        workflow.callback(case, by=people["zuoxi"], **dict(BAD, kind="pre"))
    assert Case.objects.get(pk=case.pk).state == State.CLOSED


def test_a_result_reads_the_same_from_the_page_and_from_an_import(
    org, people, categories, closed_case, tmp_path, committed
):
    on_page, imported = closed_case("hly"), closed_case("hly")
    with committed():
        submit.perform(
            on_page, "callback", by=people["zuoxi"], prefix=False, data=dict(BAD, kind="official")
        )
    path = results_file(tmp_path / "results.xlsx", imported, solved="未解决", satisfied="满意")
    with committed():
        import_file(path, platform="city", street=org["street"], user=None)
    page_steps, import_steps = after_closing(on_page), after_closing(imported)
    assert [step[1] for step in page_steps] == [people["zuoxi"], None]
    assert [step[1] for step in import_steps] == [None, None]
    assert import_steps[0][5].pop("source") == "import"
    assert [s[:1] + s[2:] for s in import_steps] == [s[:1] + s[2:] for s in page_steps]
    assert page_steps[1][2:5] == (State.CLOSED, State.DISPATCHED, REOPENED)
