"""Queues: which cases wait for whom, with hand-counted expectations."""

import datetime as dt

from django.utils import timezone

from jiesu.cases import deadlines, queues, workflow
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
        "approvals",
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


def _dispatched(make_case, people, org, received, **fields):
    """A case dispatched 10 minutes after it arrived; its clock runs to the completion limit."""
    case = make_case(received_at=at(received), **fields)
    workflow.sign(case, by=people["zuoxi"], at=at(received) + dt.timedelta(minutes=5))
    workflow.dispatch(
        case, by=people["zuoxi"], lead_unit=org["hly"], at=at(received) + dt.timedelta(minutes=10)
    )
    return case


def ordered(cases, code, now, period_start=None):
    """The cases in the queue's order, read a page of two at a time."""
    chosen = Case.objects.filter(pk__in=[c.pk for c in cases])
    arranged = queues.arranged(code, chosen, now, period_start or at("2026-02-19 00:00"))
    assert arranged.count() == len(cases)
    return [c.pk for start in range(0, len(cases), 2) for c in arranged[start : start + 2]]


def test_red_then_yellow_then_green_then_nearest_due(org, people, make_case):
    # at 03-02 10:00, with the lamp turning yellow at 75 % of each clock:
    late = _dispatched(make_case, people, org, "2026-03-02 08:00", limit_hours=1)  # due 09:00
    later = _dispatched(make_case, people, org, "2026-03-02 07:40", limit_hours=2)  # due 09:40
    # yellow since 03-02 07:30 (75 % of 30 h), due 15:00
    yellow = _dispatched(make_case, people, org, "2026-03-01 09:00", limit_hours=30)
    # green until 10:30, due 11:00: sooner than the yellow one, yet after it
    green = _dispatched(make_case, people, org, "2026-03-02 09:00", limit_hours=2)
    calm = _dispatched(make_case, people, org, "2026-03-02 09:00", limit_hours=48)
    now = at("2026-03-02 10:00")
    cases = [calm, green, yellow, later, late]
    expected = [late.pk, later.pk, yellow.pk, green.pk, calm.pk]
    for code in ("received", "accepted", "due_soon", "overdue", "review"):
        assert ordered(cases, code, now) == expected
    lamps = dict(Case.objects.annotate(l=deadlines.live_lamp(now)).values_list("pk", "l"))
    assert [lamps[pk] for pk in expected] == ["red", "red", "yellow", "green", "green"]


def test_mine_puts_shelved_cases_last(org, people, make_case):
    parked = _dispatched(make_case, people, org, "2026-02-02 09:00", limit_hours=1)
    workflow.shelve(parked, by=people["zuzhang"], reason="需规划调整", at=at("2026-02-03 09:00"))
    green = _dispatched(make_case, people, org, "2026-03-02 09:00", limit_hours=48)
    red = _dispatched(make_case, people, org, "2026-03-01 09:00", limit_hours=2)
    now = at("2026-03-02 10:00")
    assert ordered([parked, green, red], "mine", now) == [red.pk, green.pk, parked.pk]
    # the page itself, for the community handler
    assert in_queue("mine", people["shequ"], now) == {parked.pk, green.pk, red.pk}


def test_callback_starts_with_the_current_period(org, people, make_case):
    def closed(received, closed_at):
        case = make_case(received_at=at(received))
        workflow.sign(case, by=people["zuoxi"], at=at(received) + dt.timedelta(minutes=5))
        workflow.close(case, by=people["zuoxi"], answer="已答复政策", at=at(closed_at))
        return case

    old = closed("2026-02-10 09:00", "2026-02-10 10:00")
    current = closed("2026-02-25 09:00", "2026-02-25 10:00")
    # received in the last period, closed in this one: still the last period's
    straddling = closed("2026-02-18 23:00", "2026-02-26 10:00")
    period_start = at("2026-02-19 00:00")
    now = at("2026-03-01 09:00")
    assert ordered([old, current, straddling], "callback", now, period_start) == [
        current.pk,
        old.pk,
        straddling.pk,
    ]


def test_queue_pages_list_urgent_work_first(client, org, people, make_case):
    """The 待签收 page as the operator sees it: the later a case arrived, the calmer."""
    now = timezone.now()
    cases = [make_case(received_at=now - dt.timedelta(seconds=s)) for s in (270, 2400, 1470)]
    client.force_login(people["zuoxi"])
    page = client.get("/queues/received/").content.decode()
    rows = [page.index(f'data-case-row="{c.pk}"') for c in cases]
    # 40 min ago: red; 24.5 min ago: yellow (past 22.5 of 30 min); 4.5 min ago: green
    assert rows[1] < rows[2] < rows[0]
    assert "已超期 10分" in page and "还剩 5分" in page and "还剩 25分" in page


def test_callback_page_starts_with_the_current_period(client, org, people, make_case):
    from jiesu.assessment import rules

    now = timezone.now()
    start, _ = rules.period_bounds(rules.period_of(now))
    earlier = make_case(received_at=start - dt.timedelta(days=3))
    this = make_case(received_at=max(start, now - dt.timedelta(hours=3)))
    workflow.sign(this, by=people["zuoxi"])
    workflow.close(this, by=people["zuoxi"], answer="已答复")
    workflow.sign(earlier, by=people["zuoxi"])
    workflow.close(earlier, by=people["zuoxi"], answer="已答复")
    client.force_login(people["zuoxi"])
    page = client.get("/queues/callback/").content.decode()
    assert page.index(f'data-case-row="{this.pk}"') < page.index(f'data-case-row="{earlier.pk}"')
