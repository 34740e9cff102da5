"""Shift handover: made once at the shift's start with what is red, yellow and waiting;
the outgoing shift's notes go in; the incoming shift acknowledges once; printable page."""

import pytest

from jiesu.cases import workflow
from jiesu.org.models import Handover
from jiesu.supervision import handover
from tests.conftest import at


@pytest.fixture
def evening(dispatched, make_case, people, org):
    """At 03-09 17:30: the `dispatched` case is red (due 09:00); another dispatched case
    (received 03-03 09:00, due 03-10 09:00, warning from 03-08 15:00) is yellow; a third
    has an extension request waiting."""
    yellow = make_case(received_at=at("2026-03-03 09:00"))
    workflow.sign(yellow, by=people["zuoxi"], at=at("2026-03-03 09:05"))
    workflow.dispatch(
        yellow, by=people["zuoxi"], lead_unit=org["office"], at=at("2026-03-03 09:30")
    )
    asked = make_case(received_at=at("2026-03-09 08:00"))
    workflow.sign(asked, by=people["zuoxi"], at=at("2026-03-09 08:05"))
    workflow.dispatch(asked, by=people["zuoxi"], lead_unit=org["office"], at=at("2026-03-09 08:30"))
    workflow.request_extension(
        asked,
        by=people["keshi"],
        until=at("2026-03-20 18:00"),
        reason="需协调",
        at=at("2026-03-09 10:00"),
    )
    return {"red": dispatched, "yellow": yellow, "asked": asked}


def test_the_handover_is_made_once_at_the_shift_start(evening, org, people):
    from jiesu.supervision.models import OrderAnswer, SupervisionOrder

    # a 督办 order whose answers are due at 03-10 12:00: one unit answered, one not
    order = SupervisionOrder.objects.create(
        number="DB-001",
        source="district",
        received_at=at("2026-03-09 09:00"),
        demand="限期答复",
        answer_due_at=at("2026-03-10 12:00"),
        street=org["street"],
        created_at=at("2026-03-09 09:00"),
    )
    OrderAnswer.objects.create(order=order, unit=org["office"], forwarded_at=at("2026-03-09 10:00"))
    OrderAnswer.objects.create(
        order=order,
        unit=org["hly"],
        forwarded_at=at("2026-03-09 10:00"),
        text="已处理",
        answered_at=at("2026-03-09 15:00"),
    )
    coming = handover.coming(org["street"], at("2026-03-09 17:00"))
    assert coming.changes_at == at("2026-03-09 17:30") and coming.shift_in.name == "夜班"
    handover.write_notes(coming, text="华龙苑东门占道已联系城管,明早回访。", by=people["zuoxi"])
    from jiesu.org import roster
    from jiesu.org.models import Role
    from jiesu.supervision.models import Notification

    night = coming.shift_in
    roster.assign(
        unit=org["street"],
        day=at("2026-03-09 12:00").date(),
        shift=night,
        user=people["zuzhang"],
        role=Role.LEADER,
    )
    assert handover.prepare(at("2026-03-09 17:29")) == 0  # the day shift's 08:30 list is past
    assert handover.prepare(at("2026-03-09 17:30")) == 2  # both streets
    assert handover.prepare(at("2026-03-09 17:31")) == 0
    told = Notification.objects.get(kind="handover")  # the night shift's, once
    assert told.user == people["zuzhang"]
    assert told.text == (
        "【交接班】霍营街道03-09 17:30交接单已生成:红灯1件,黄灯1件,待审批1件,督办待答复1项,请确认接班。"
    )
    made = Handover.objects.get(unit=org["street"], changes_at=at("2026-03-09 17:30"))
    items = made.items
    assert (items["red"]["count"], items["yellow"]["count"]) == (1, 1)
    assert items["red"]["rows"][0]["number"] == evening["red"].platform_no
    assert items["yellow"]["rows"][0]["number"] == evening["yellow"].platform_no
    assert items["approvals"]["count"] == 1
    assert items["approvals"]["rows"][0]["what"] == "延期申请"
    assert made.notes == "华龙苑东门占道已联系城管,明早回访。"
    assert items["orders"]["count"] == 1  # due within 24 hours, not answered
    assert items["orders"]["rows"][0] == {
        "order": "DB-001",
        "order_id": order.pk,
        "unit": "城市管理科",
        "due": "03-10 12:00",
        "late": False,
    }
    other = Handover.objects.get(unit=org["other_street"])
    assert other.items["red"]["count"] == 0


def test_a_worker_more_than_two_hours_late_makes_no_old_handover(evening):
    assert handover.prepare(at("2026-03-09 19:31")) == 0


def test_the_incoming_shift_acknowledges_once_and_the_page_prints_it(evening, org, people, client):
    handover.prepare(at("2026-03-09 17:30"))
    made = Handover.objects.get(unit=org["street"])
    client.force_login(people["zuoxi"])
    page = client.get(f"/duty/handover/{made.pk}/").content.decode()
    assert evening["red"].platform_no in page and 'data-action="acknowledge"' in page
    assert "13812341234" not in page and "张三" not in page
    client.post(f"/duty/handover/{made.pk}/acknowledge")
    made.refresh_from_db()
    assert made.acknowledged_by == people["zuoxi"]
    assert not handover.acknowledge(made, by=people["zuzhang"])
    listing = client.get("/duty/handover/").content.decode()
    assert f'data-handover="{made.pk}"' in listing
    # another street's desk sees none of it
    client.force_login(people["outsider"])
    assert client.get(f"/duty/handover/{made.pk}/").status_code == 404
    client.force_login(people["shequ"])  # a handler is not on the desk
    assert client.get("/duty/handover/").status_code == 403
