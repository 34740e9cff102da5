"""Loops over the whole (state, action, role) table: every allowed combination works and
reaches the table's target state; every other one is refused and changes nothing."""

import datetime as dt

import pytest

from jiesu.cases import submit, workflow
from jiesu.cases.errors import InvalidInput, NotAllowed, RoleRefused
from jiesu.cases.models import Case, State
from jiesu.org.models import HANDLER_ROLES, Role
from tests.conftest import at

PERSONA = {
    Role.ADMIN: "admin",
    Role.LEADER: "zuzhang",
    Role.OPERATOR: "zuoxi",
    Role.REVIEWER: "shenhe",
    Role.ANALYST: "shuju",
    Role.OFFICE_HANDLER: "keshi",
    Role.COMMUNITY_HANDLER: "shequ",
    Role.SUPERVISOR: "ducha",
}


def valid_data(action, org):
    when = "2026-03-03T10:00:00+08:00"
    return {
        "return": {"reason": "属于公安部门职责"},
        "dispute": {"reason": "地址不在本街道"},
        "dispatch": {"lead_unit": org["hly"].pk},
        "redispatch": {"lead_unit": org["xyy"].pk, "reason": "实际点位在小辛庄村"},
        "contact": {"contact_at": when, "way": "电话"},
        "supervise": {"note": "请加快办理"},
        "extend": {"until": "2026-03-20T09:00:00+08:00", "reason": "需协调产权单位"},
        "approve_extension": {"approved": "true"},
        "reply": {
            "contact_at": when,
            "contact_way": "电话",
            "facts": "情况属实",
            "actions": "已联系城管清理",
            "result": "已解决",
            "citizen_response": "表示满意",
        },
        "reject": {"reason": "未写明采取的措施"},
        "close": {"answer": "已告知办理流程"},
        "callback": {
            "valid": True,
            "contacted": True,
            "solved": "solved",
            "satisfaction": "satisfied",
        },
        "reopen": {"reason": "回访未解决"},
        "shelve": {"reason": "涉及规划调整"},
        "unshelve": {"reason": "规划已批复"},
        "note": {"text": "已电话提醒"},
    }.get(action, {})


def case_in(state, *, lead, make_case, people):
    """Reach `state` through the workflow only."""
    desk, leader = people["zuoxi"], people["zuzhang"]
    case = make_case()
    if state == State.RECEIVED:
        return case
    workflow.sign(case, by=desk, at=at("2026-03-02 09:05"))
    if state == State.ACCEPTED:
        return case
    if state == State.RETURNED:
        return workflow.return_case(case, by=desk, reason="不属于本街道", at=at("2026-03-02 09:30"))
    workflow.dispatch(case, by=desk, lead_unit=lead, at=at("2026-03-02 09:20"))
    if state == State.DISPATCHED:
        return case
    if state == State.SHELVED:
        return workflow.shelve(case, by=leader, reason="长期问题", at=at("2026-03-03 09:00"))
    workflow.reply(
        case,
        by=leader,
        contact_at=at("2026-03-02 10:00"),
        contact_way="电话",
        facts="属实",
        actions="已处理",
        result="已解决",
        citizen_response="满意",
        at=at("2026-03-02 15:00"),
    )
    if state == State.REPLIED:
        return case
    return workflow.approve(case, by=people["shenhe"], at=at("2026-03-02 16:00"))


def prepare(action, case, people):
    """Preconditions an allowed action needs besides state and role."""
    if action == "approve_extension":
        workflow.request_extension(
            case, by=people["zuzhang"], until=case.due_at + dt.timedelta(days=3), reason="协调中"
        )
    if action == "approve_dispatch":
        Case.objects.filter(pk=case.pk).update(special="群体性诉求")
        case.special = "群体性诉求"
    return Case.objects.select_related("lead_unit", "street", "district").get(pk=case.pk)


@pytest.mark.django_db
def test_every_state_action_role_combination(org, people, make_case):
    checked_allowed = checked_refused = 0
    for state in State:
        for role, username in PERSONA.items():
            lead = org["office"] if role == Role.OFFICE_HANDLER else org["hly"]
            base = case_in(state, lead=lead, make_case=make_case, people=people)
            user = people[username]
            for action, t in workflow.TRANSITIONS.items():
                if action not in workflow.ACTION_FUNCTIONS:
                    continue  # attach and update have their own tests
                # a handling unit's people act only on cases dispatched to their unit
                related = role not in HANDLER_ROLES or base.lead_unit_id is not None
                allowed = state in t.sources and role in t.roles and related
                fresh_user = type(user).objects.get(pk=user.pk)
                if allowed:
                    case = prepare(
                        action,
                        case_in(state, lead=lead, make_case=make_case, people=people),
                        people,
                    )
                    submit.perform(
                        case, action, by=fresh_user, data=valid_data(action, org), prefix=False
                    )
                    case.refresh_from_db()
                    assert case.state == (t.target or state), (state, action, role)
                    assert case.events.last().action == action
                    checked_allowed += 1
                else:
                    before = (base.state, base.version, base.events.count())
                    with pytest.raises((NotAllowed, RoleRefused)):
                        submit.perform(
                            base, action, by=fresh_user, data=valid_data(action, org), prefix=False
                        )
                    again = Case.objects.get(pk=base.pk)
                    assert (again.state, again.version, again.events.count()) == before
                    checked_refused += 1
    assert checked_allowed > 60
    assert checked_refused > 800


def test_every_state_is_reachable(org, people, make_case):
    reached = {case_in(s, lead=org["hly"], make_case=make_case, people=people).state for s in State}
    assert reached == set(State)


def test_missing_input_is_refused_in_chinese_and_changes_nothing(org, people, make_case):
    case = case_in(State.DISPATCHED, lead=org["hly"], make_case=make_case, people=people)
    with pytest.raises(InvalidInput) as err:
        submit.perform(
            case, "reply", by=people["shequ"], data={"contact_way": "电话"}, prefix=False
        )
    assert "联系时间" in err.value.message
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert case.version == 2


def test_every_action_in_the_table_has_its_function():
    assert set(workflow.ACTION_FUNCTIONS) | {"attach", "update"} == set(workflow.TRANSITIONS)


def test_the_system_takes_only_the_rows_marked_system(org, people, make_case):
    """With no user (an import, a subscriber, the worker) only 回访, 重办, 平台数据更新 and
    催办 (the worker's, at the supervision nodes) pass the check."""
    states = {
        "callback": State.CLOSED,
        "reopen": State.CLOSED,
        "update": State.DISPATCHED,
        "urge": State.DISPATCHED,
    }
    assert {a for a, t in workflow.TRANSITIONS.items() if t.system} == set(states)
    closed = case_in(State.CLOSED, lead=org["hly"], make_case=make_case, people=people)
    dispatched = case_in(State.DISPATCHED, lead=org["hly"], make_case=make_case, people=people)
    for action, t in workflow.TRANSITIONS.items():
        if State.CLOSED in t.sources:
            case = closed
        elif action == "urge":
            case = dispatched
        else:
            case = make_case()
        if action in states:
            assert workflow.check(case, action, None) is t
        else:
            with pytest.raises((RoleRefused, NotAllowed)):
                workflow.check(case, action, None)
