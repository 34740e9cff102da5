import datetime as dt

import pytest

from jiesu.cases import workflow
from jiesu.cases.errors import NotAllowed, RoleRefused
from jiesu.cases.models import Case, Lamp, State
from tests.conftest import at


def test_sign_moves_to_accepted_and_starts_the_dispatch_clock(make_case, people):
    case = make_case()
    assert case.sign_due_at == at("2026-03-02 09:30")
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:20"))
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    assert case.signed_at == at("2026-03-02 09:20")
    assert case.dispatch_due_at == at("2026-03-02 10:20")
    assert case.current_due_at == at("2026-03-02 10:20")
    assert case.version == 1
    events = list(case.events.values_list("action", "from_state", "to_state", "actor__username"))
    assert events == [("receive", "", "received", None), ("sign", "received", "accepted", "zuoxi")]


def test_signing_late_leaves_a_red_lamp_on_the_sign_clock(make_case, people):
    case = make_case()
    from jiesu.cases.deadlines import clock_fields

    assert clock_fields(case, at("2026-03-02 09:10"))["lamp"] == Lamp.GREEN
    # 75 % of 30 minutes is 22.5 minutes
    assert clock_fields(case, at("2026-03-02 09:23"))["lamp"] == Lamp.YELLOW
    assert clock_fields(case, at("2026-03-02 09:31"))["lamp"] == Lamp.RED


def test_a_community_handler_cannot_sign(make_case, people):
    case = make_case()
    with pytest.raises(RoleRefused) as err:
        workflow.sign(case, by=people["shequ"])
    assert "签收" in err.value.message
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED
    assert case.events.count() == 1


def test_an_operator_of_another_street_cannot_sign(make_case, people):
    case = make_case()
    with pytest.raises(RoleRefused):
        workflow.sign(case, by=people["outsider"])


def test_signing_twice_is_refused(make_case, people):
    case = make_case()
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    with pytest.raises(NotAllowed) as err:
        workflow.sign(case, by=people["zuzhang"], at=at("2026-03-02 09:06"))
    assert "已签收" in err.value.message
    assert case.events.count() == 2
    assert dt.timedelta(0) < case.dispatch_due_at - case.signed_at
