"""Platform callback results that arrive in an export are recorded as 回访, like one entered
on the page; a bad one reopens the case through the event door."""

import pytest

from jiesu.cases.models import CaseEvent, State
from jiesu.intake.importer import import_file
from tests.intake.conftest import export_row

RESULTS = {"是否有效回访": "是", "是否联系": "是"}


def callback_row(case, **result) -> list:
    """The case as the platform exports it after its callback: nothing else changed."""
    same = {
        "工单编号": case.platform_no,
        "标题": case.title,
        "主要内容": case.content,
        "来电时间": "2026-10-05 09:00:00",
        "问题分类": "",
        "标签": "",
        "小区点位/问题点位": "",
        "办理时限/截止时间": "",
    }
    return export_row(1, **same | RESULTS | result)


@pytest.fixture
def run_import(org, write_xlsx):
    def run(case, user=None, **result):
        path = write_xlsx([callback_row(case, **result)], name=f"{case.pk}.xlsx")
        return import_file(path, platform="city", street=org["street"], user=user)

    return run


def test_an_imported_result_with_no_user_is_one_callback(closed_case, run_import):
    case = closed_case("hly")
    run = run_import(case, 是否解决="部分解决", 是否满意="基本满意")
    assert (run.updated, run.failed) == (1, 0)
    case.refresh_from_db()
    event = case.events.order_by("pk").last()
    assert (event.action, event.actor) == ("callback", None)
    assert event.payload == {
        "callback_valid": True,
        "callback_contacted": True,
        "callback_solved": "partly",
        "callback_satisfaction": "basic",
        "kind": "official",
        "source": "import",
    }
    assert not case.events.filter(action="update").exists()
    assert (case.state, case.callback_solved, case.awaiting_callback_at) == (
        State.CLOSED,
        "partly",
        None,
    )
    assert case.first_callback["callback_satisfaction"] == "basic"


def test_an_imported_bad_result_reopens_the_case(
    closed_case, run_import, people, django_capture_on_commit_callbacks
):
    case = closed_case("hly")
    with django_capture_on_commit_callbacks(execute=True):
        run_import(case, user=people["zuoxi"], 是否解决="未解决", 是否满意="满意")
    case.refresh_from_db()
    callback, reopen = list(case.events.order_by("pk"))[-2:]
    assert (callback.action, callback.actor, callback.payload["source"]) == (
        "callback",
        people["zuoxi"],
        "import",
    )
    assert (reopen.action, reopen.actor) == ("reopen", None)
    assert reopen.reason == "平台回访结果为“未解决”,按规则重办。"
    assert case.state == State.DISPATCHED


def test_a_result_for_a_case_not_closed_here_stays_platform_data(dispatched, run_import):
    run = run_import(dispatched, 是否解决="解决", 是否满意="满意")
    assert (run.updated, run.failed) == (1, 0)
    dispatched.refresh_from_db()
    assert dispatched.state == State.DISPATCHED
    assert dispatched.callback_solved == "solved" and dispatched.callback_at is not None
    update = dispatched.events.order_by("pk").last()
    assert update.action == "update"
    assert set(update.payload["changes"]) == {
        "callback_valid",
        "callback_contacted",
        "callback_solved",
        "callback_satisfaction",
    }
    assert not CaseEvent.objects.filter(action="callback").exists()


def test_the_same_result_again_changes_nothing(closed_case, run_import):
    case = closed_case("hly")
    run_import(case, 是否解决="解决", 是否满意="满意")
    again = run_import(case, 是否解决="解决", 是否满意="满意")
    assert (again.updated, again.unchanged) == (0, 1)
    assert case.events.filter(action="callback").count() == 1


def test_other_changed_fields_stay_a_platform_update(closed_case, run_import):
    case = closed_case("hly")
    run_import(case, 主要内容="补充:摊贩已增加到十余个", 是否解决="解决", 是否满意="满意")
    update, callback = list(case.events.order_by("pk"))[-2:]
    assert update.action == "update"
    assert update.payload["changes"] == {
        "content": {"from": case.content, "to": "补充:摊贩已增加到十余个"}
    }
    assert (callback.action, callback.payload["callback_solved"]) == ("callback", "solved")
