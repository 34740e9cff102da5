"""Queues: which cases wait for whom, with hand-counted expectations."""

from django.utils import timezone

from jiesu.cases import queues, workflow
from jiesu.cases.models import Case, EvaluationType
from tests.conftest import at


def codes(user):
    return [q.code for q in queues.queues_for(user)]


def in_queue(code, user, now):
    visible = Case.objects.visible_to(user)
    return set(visible.filter(queues.condition(code, user, now)).values_list("pk", flat=True))


def test_each_role_has_its_queues(people):
    assert codes(people["zuoxi"]) == [
        "received",
        "accepted",
        "due_soon",
        "overdue",
        "callback",
        "shelved",
    ]
    assert codes(people["shenhe"]) == ["review"]
    assert codes(people["shequ"]) == ["mine"]
    assert codes(people["keshi"]) == ["mine"]
    assert codes(people["zuzhang"]) == [
        "received",
        "accepted",
        "due_soon",
        "overdue",
        "review",
        "callback",
        "shelved",
    ]
    assert codes(people["admin"]) == []


def test_queue_membership_and_counts(org, people, make_case, dispatched):
    desk, leader = people["zuoxi"], people["zuzhang"]
    fresh = make_case(received_at=at("2026-03-02 09:00"))
    signed = make_case(received_at=at("2026-03-02 09:00"))
    workflow.sign(signed, by=desk, at=at("2026-03-02 09:05"))
    closed = make_case()
    workflow.sign(closed, by=desk, at=at("2026-03-02 09:05"))
    workflow.close(closed, by=desk, answer="已答复政策", at=at("2026-03-02 09:30"))
    unassessed = make_case(evaluation_type=EvaluationType.NOT_ASSESSED)
    workflow.sign(unassessed, by=desk, at=at("2026-03-02 09:05"))
    workflow.close(unassessed, by=desk, answer="已答复", at=at("2026-03-02 09:30"))
    parked = make_case()
    workflow.sign(parked, by=desk, at=at("2026-03-02 09:05"))
    workflow.dispatch(parked, by=desk, lead_unit=org["office"], at=at("2026-03-02 09:10"))
    workflow.shelve(parked, by=leader, reason="需规划调整", at=at("2026-03-03 09:00"))

    # 09:25: fresh is past 75 % of its 30-minute sign clock; signed's dispatch clock runs to 10:05
    now = at("2026-03-02 09:25")
    assert in_queue("received", desk, now) == {fresh.pk}
    assert in_queue("accepted", desk, now) == {signed.pk}
    assert in_queue("due_soon", desk, now) == {fresh.pk}
    assert in_queue("overdue", desk, now) == set()
    assert in_queue("callback", desk, now) == {closed.pk}
    assert in_queue("shelved", desk, now) == {parked.pk}
    assert in_queue("mine", people["shequ"], now) == {dispatched.pk}
    assert in_queue("mine", people["keshi"], now) == {parked.pk}

    # a week later: fresh, signed and dispatched (due 03-09 09:00) are overdue
    later = at("2026-03-09 10:00")
    assert in_queue("overdue", desk, later) == {fresh.pk, signed.pk, dispatched.pk}
    assert queues.counts(desk, later) == {
        "received": 1,
        "accepted": 1,
        "due_soon": 0,
        "overdue": 3,
        "callback": 1,
        "shelved": 1,
    }
    assert queues.counts(people["shequ"], later) == {"mine": 1}


def test_a_reply_moves_the_case_to_review(people, dispatched):
    workflow.reply(
        dispatched,
        by=people["shequ"],
        contact_at=at("2026-03-02 10:00"),
        contact_way="电话",
        facts="属实",
        actions="已清理",
        result="已解决",
        citizen_response="满意",
    )
    assert in_queue("review", people["shenhe"], timezone.now()) == {dispatched.pk}
    assert in_queue("mine", people["shequ"], timezone.now()) == set()
