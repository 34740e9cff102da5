"""督办单 end to end, by hand: an order from the district naming two cases, forwarded to
two units; 华龙苑南里社区 answers in time, 城市管理科 late; the summary table opened with
openpyxl; the chase tells only the unit that has not answered, once a day; the two lists
counted by hand; who sees what."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiesu.assessment.rules import period_bounds, period_of
from jiesu.audit.models import AuditEvent
from jiesu.cases import workflow
from jiesu.cases.models import CaseEvent, Platform
from jiesu.org.access import Reach
from jiesu.supervision import orders
from jiesu.supervision.models import Notification, OrderStatus
from tests.conftest import at

DEMAND = "请于3月7日前反馈处理情况,联系人电话13912345678。"


@pytest.fixture
def two_cases(dispatched, make_case, people, org):
    """`dispatched` (to 华龙苑南里社区, received 03-02) and one to 城市管理科 (03-03)."""
    office_case = make_case(received_at=at("2026-03-03 10:00"), title="13812341234反映噪音")
    workflow.sign(office_case, by=people["zuoxi"], at=at("2026-03-03 10:10"))
    workflow.dispatch(
        office_case, by=people["zuoxi"], lead_unit=org["office"], at=at("2026-03-03 10:30")
    )
    return dispatched, office_case


@pytest.fixture
def order(two_cases, people, org):
    return orders.record(
        number="QDB-2026-031",
        source="district",
        received_at=at("2026-03-05 10:00"),
        demand=DEMAND,
        answer_due_at=at("2026-03-07 18:00"),
        street=org["street"],
        cases=list(two_cases),
        by=people["zuoxi"],
        now=at("2026-03-05 10:05"),
    )


@pytest.fixture
def forwarded(order, people, org):
    orders.forward(
        order, [org["hly"], org["office"]], by=people["zuzhang"], now=at("2026-03-05 11:00")
    )
    order.refresh_from_db()
    return order


def _answers(order):
    return {a.unit.name: a for a in order.answers.select_related("unit")}


def test_forwarding_tells_each_unit_and_supervises_each_case(forwarded, two_cases, people):
    assert forwarded.status == OrderStatus.FORWARDED
    assert forwarded.forwarded_at == at("2026-03-05 11:00")
    assert set(_answers(forwarded)) == {"华龙苑南里社区", "城市管理科"}
    told = Notification.objects.filter(kind="order").order_by("user__username")
    assert [n.user.username for n in told] == ["keshi", "shequ"]
    numbers = "、".join(sorted(c.platform_no for c in two_cases))
    assert told[0].text == (
        f"区级督办单 QDB-2026-031 已转本单位,请于 2026-03-07 18:00 前在平台答复。涉及工单:{numbers}"
    )
    assert "13912345678" not in told[0].text and "13812341234" not in told[0].text
    for case in two_cases:
        event = CaseEvent.objects.get(case=case, action="supervise")
        assert event.actor == people["zuzhang"]
        assert event.reason.startswith("区级督办单 QDB-2026-031:请于3月7日前")
    # forwarding again to the same units adds nothing and writes no second 督办
    again = orders.forward(
        forwarded,
        [orders.units_for(forwarded).get(name="华龙苑南里社区")],
        by=people["zuzhang"],
        now=at("2026-03-05 12:00"),
    )
    assert again == {"added": [], "supervised": [], "left": []}
    assert CaseEvent.objects.filter(action="supervise").count() == 2


def test_only_the_leader_forwards_and_only_to_units_of_the_street(order, people, org):
    with pytest.raises(orders.OrderRefused, match="组长"):
        orders.forward(order, [org["hly"]], by=people["zuoxi"])
    with pytest.raises(orders.OrderError, match="本街道"):
        orders.forward(order, [org["elsewhere"]], by=people["zuzhang"])
    with pytest.raises(orders.OrderError, match="至少一个"):
        orders.forward(order, [], by=people["zuzhang"])


def test_answers_in_time_and_late_and_the_summary_table(forwarded, people, two_cases):
    rows = _answers(forwarded)
    orders.answer(
        rows["华龙苑南里社区"],
        text="已约谈商户,占道已清理。",
        by=people["shequ"],
        now=at("2026-03-06 09:00"),
    )
    with pytest.raises(orders.OrderRefused):  # another unit's answer
        orders.answer(rows["城市管理科"], text="代答", by=people["shequ"])
    with pytest.raises(orders.OrderError, match="答复内容"):
        orders.answer(rows["城市管理科"], text="  ", by=people["keshi"])
    forwarded.refresh_from_db()
    assert forwarded.status == OrderStatus.FORWARDED  # one answer missing
    orders.answer(
        rows["城市管理科"],
        text="已执法检查,联系电话13700001111。",
        by=people["keshi"],
        now=at("2026-03-08 09:00"),
    )
    forwarded.refresh_from_db()
    assert forwarded.status == OrderStatus.ANSWERED
    # the desk who recorded it is told of each answer
    assert Notification.objects.filter(user=people["zuoxi"], kind="order").count() == 2

    book, count = orders.summary_workbook([forwarded], at("2026-03-08 10:00"))
    sheet = load_workbook(io.BytesIO(_bytes(book))).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert count == 2 and len(table) == 3
    assert table[0] == orders.SUMMARY_HEADERS
    by_unit = {r[6]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    numbers = "、".join(sorted(c.platform_no for c in two_cases))
    hly, office = by_unit["华龙苑南里社区"], by_unit["城市管理科"]
    assert hly["督办单号"] == "QDB-2026-031" and hly["来源"] == "区级"
    assert hly["答复时限"] == "2026-03-07 18:00" and hly["涉及工单"] == numbers
    assert (hly["答复时间"], hly["是否按时"]) == ("2026-03-06 09:00", "按时答复")
    assert (office["答复时间"], office["是否按时"]) == ("2026-03-08 09:00", "超时答复")
    assert hly["督办单状态"] == office["督办单状态"] == "已全部答复"
    assert hly["答复内容"] == "已约谈商户,占道已清理。"
    everything = "".join(str(v) for r in table for v in r)
    assert "13912345678" not in everything and "13700001111" not in everything
    assert "139" in hly["督办要求"]  # masked, not dropped


def test_the_chase_tells_only_the_unit_that_has_not_answered_once_a_day(forwarded, people):
    orders.answer(
        _answers(forwarded)["华龙苑南里社区"],
        text="已处理。",
        by=people["shequ"],
        now=at("2026-03-06 09:00"),
    )

    def chased():
        return list(
            Notification.objects.filter(kind="order_chase")
            .order_by("created_at")
            .values_list("user__username", "created_at")
        )

    assert orders.chase(forwarded, by=people["zuoxi"], now=at("2026-03-06 10:00")) == 1
    assert orders.chase(forwarded, by=people["zuoxi"], now=at("2026-03-06 16:00")) == 0
    assert orders.chase_answers(at("2026-03-06 23:59")) == 0  # the worker, the same day
    assert orders.chase_answers(at("2026-03-07 00:01")) == 1  # the next day
    assert chased() == [("keshi", at("2026-03-06 10:00")), ("keshi", at("2026-03-07 00:01"))]
    late = Notification.objects.filter(kind="order_chase").order_by("created_at")
    assert late[0].text == (
        "区级督办单 QDB-2026-031 请于 2026-03-07 18:00 前答复,本单位尚未答复,请尽快在平台答复。"
    )
    orders.chase_answers(at("2026-03-08 08:00"))
    assert (
        "已超过答复时限"
        in Notification.objects.filter(kind="order_chase").latest("created_at").text
    )
    # a week after the deadline the worker stops; a person may still chase
    assert orders.chase_answers(at("2026-03-15 09:00")) == 0
    with pytest.raises(orders.OrderRefused):
        orders.chase(forwarded, by=people["keshi"])


def test_the_answers_due_for_a_handover(forwarded, people):
    orders.answer(_answers(forwarded)["华龙苑南里社区"], text="已处理。", by=people["shequ"])
    mine = orders.visible(Reach(people["zuzhang"]))
    assert list(orders.answers_due(mine, at("2026-03-07 17:59"))) == []
    due = orders.answers_due(mine, at("2026-03-07 18:00"))
    assert [(a.order.number, a.unit.name) for a in due] == [("QDB-2026-031", "城市管理科")]
    assert not orders.answers_due(orders.visible(Reach(people["outsider"])), at("2026-04-01 00:00"))


def test_the_worker_chases_only_near_the_deadline(forwarded):
    assert orders.chase_answers(at("2026-03-06 17:59")) == 0  # 24 h and a minute before
    assert orders.chase_answers(at("2026-03-06 18:00")) == 2


def test_recording_refuses_what_is_wrong(two_cases, people, org, order):
    good = {
        "number": "SDB-1",
        "source": "city",
        "received_at": at("2026-03-05 10:00"),
        "demand": "请反馈",
        "answer_due_at": at("2026-03-06 10:00"),
        "street": org["street"],
        "cases": list(two_cases),
        "by": people["zuoxi"],
    }
    for change, message in [
        ({"number": " "}, "督办单号"),
        ({"source": "street"}, "来源"),
        ({"demand": ""}, "督办要求"),
        ({"answer_due_at": at("2026-03-05 09:00")}, "晚于"),
        ({"cases": []}, "工单编号"),
        ({"by": people["keshi"]}, "组长或坐席员"),
        ({"number": "QDB-2026-031", "source": "district"}, "已登记过"),
    ]:
        with pytest.raises(orders.OrderError, match=message):
            orders.record(**{**good, **change})
    assert orders.record(**good).cases.count() == 2  # the same number from the city is another


def test_who_sees_what(forwarded, people):
    def seen(name):
        return set(orders.visible(Reach(people[name])).values_list("number", flat=True))

    def owed(name):
        return {a.unit.name for a in orders.answers_to_write(Reach(people[name]))}

    for name in ("zuzhang", "zuoxi", "ducha"):
        assert seen(name) == {"QDB-2026-031"}, name
    for name in ("keshi", "shequ", "shuju", "shenhe", "outsider", "admin"):
        assert seen(name) == set(), name
    assert owed("keshi") == {"城市管理科"} and owed("shequ") == {"华龙苑南里社区"}
    assert owed("zuoxi") == owed("ducha") == owed("outsider") == set()


def _bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the pages -----------------------------------------------------------------------------


def test_pages_from_recording_to_the_summary(client, two_cases, people, org):
    client.force_login(people["zuoxi"])
    assert client.get(reverse("order_new")).status_code == 200
    form = {
        "number": "SDB-77",
        "source": "city",
        "street": org["street"].pk,
        "received_at": "2026-03-05T10:00",
        "answer_due_at": "2026-03-07T18:00",
        "numbers": f"{two_cases[0].platform_no}\n{two_cases[1].platform_no}",
        "demand": "请反馈办理情况。",
    }
    for change, message in [
        ({"numbers": "nope-1, nope-2"}, "找不到"),
        ({"answer_due_at": "2026-03-05T09:00"}, "答复时限须晚于收到时间"),
        ({"received_at": "昨天"}, "收到时间格式不正确"),
        ({"number": ""}, "请填写督办单号"),
    ]:
        response = client.post(reverse("order_new"), {**form, **change})
        assert response.status_code == 400 and message in response.content.decode(), change
    response = client.post(reverse("order_new"), form)
    assert response.status_code == 302
    order = orders.visible(Reach(people["zuoxi"])).get(number="SDB-77")
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert "13812341234" not in page and "反映噪音" in page  # the title masked
    assert 'data-action="forward"' not in page  # the 坐席员 does not forward
    assert (
        client.post(reverse("order_forward", args=[order.pk]), {"unit": org["hly"].pk}).status_code
        == 403
    )

    client.force_login(people["zuzhang"])
    bad = client.post(reverse("order_forward", args=[order.pk]), {"unit": org["elsewhere"].pk})
    assert bad.status_code == 400 and "本街道" in bad.content.decode()
    units = {"unit": [org["hly"].pk, org["office"].pk]}
    assert client.post(reverse("order_forward", args=[order.pk]), units).status_code == 302
    listing = client.get(reverse("orders")).content.decode()
    assert f'data-order="{order.pk}"' in listing and 'data-answered="0/2"' in listing

    answer = order.answers.get(unit=org["office"])
    client.force_login(people["shequ"])  # not this unit's
    assert client.get(reverse("order_answer", args=[answer.pk])).status_code == 404
    assert client.get(reverse("order_detail", args=[order.pk])).status_code == 404
    client.force_login(people["keshi"])
    assert f'data-answer="{answer.pk}"' in client.get(reverse("orders")).content.decode()
    empty = client.post(reverse("order_answer", args=[answer.pk]), {"text": ""})
    assert empty.status_code == 400 and "请填写答复内容" in empty.content.decode()
    assert (
        client.post(reverse("order_answer", args=[answer.pk]), {"text": "已处理。"}).status_code
        == 302
    )

    client.force_login(people["ducha"])
    response = client.get(reverse("order_summary", args=[order.pk]))
    assert response.status_code == 200
    table = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {(r[6], r[7], r[9]) for r in table[1:]} == {
        # answered now, after the deadline of March
        ("城市管理科", "已处理。", "超时答复"),
        ("华龙苑南里社区", None, "超时未答复"),
    }
    logged = AuditEvent.objects.filter(kind="export").latest("id").detail
    assert (logged["what"], logged["count"]) == ("督办汇总表", 2)
    order.refresh_from_db()
    assert order.summarized_at is None  # the district's 督办 read it; the desk reports it

    client.force_login(people["outsider"])
    assert client.get(reverse("order_detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("order_summary", args=[order.pk])).status_code == 404


def test_the_two_lists_count_by_hand(make_case, closed_case, people, org, client):
    """Last cycle's open cases and the city's cases sent straight to the street."""
    now = at("2026-03-10 12:00")  # period 2026-03 (02-19 … 03-18); the previous 01-19 … 02-18
    assert orders.previous_period(now) == "2026-02"
    counted = [
        make_case(received_at=at("2026-02-10 09:00")),  # last period, open: counted
        make_case(received_at=at("2026-01-19 00:00"), platform=Platform.DISTRICT),  # counted
    ]
    make_case(received_at=at("2026-01-18 23:59"))  # the period before
    make_case(received_at=at("2026-02-19 00:00"))  # this period
    closed_case("office", when="2026-02-12 09:00")  # last period, closed
    cases = Reach(people["zuoxi"]).cases()
    carried = orders.carried_over(cases, now)
    assert set(carried) == set(counted)
    # 直派: the city's cases of period 2026-03: the 02-19 one and the one below
    make_case(received_at=at("2026-03-01 09:00"))
    make_case(received_at=at("2026-03-01 10:00"), platform=Platform.DISTRICT)
    assert orders.sent_direct(cases, "2026-03").count() == 2
    assert orders.sent_direct(Reach(people["outsider"]).cases(), "2026-03").count() == 0

    # the pages, at the real now: one case of each list made inside its period
    real = period_of(dt.datetime.now(dt.UTC))
    start, _ = period_bounds(orders.previous_period(dt.datetime.now(dt.UTC)))
    make_case(received_at=start + dt.timedelta(hours=1))
    this_start, _ = period_bounds(real)
    make_case(received_at=this_start + dt.timedelta(hours=1))
    client.force_login(people["zuoxi"])
    carried_page = client.get(reverse("orders_carried_over")).content.decode()
    assert 'data-total="1"' in carried_page and 'data-open="1"' in carried_page
    direct_page = client.get(reverse("orders_direct")).content.decode()
    assert 'data-total="1"' in direct_page
    assert (
        'data-total="2"'
        in client.get(reverse("orders_direct") + "?period=2026-03").content.decode()
    )
    filtered = client.get(
        reverse("orders_direct") + "?period=2026-03&state=closed"
    ).content.decode()
    assert 'data-total="0"' in filtered
    assert client.get(reverse("orders_direct") + "?period=三月").status_code == 400
    assert client.get(reverse("orders_direct") + "?state=nope").status_code == 400
    client.force_login(people["outsider"])
    assert 'data-total="0"' in client.get(reverse("orders_carried_over")).content.decode()


def test_the_summary_of_every_order_seen(client, forwarded, two_cases, people, org):
    """The list's export: every order the reader sees, or those of one period; one row per
    unit, one row for an order not yet forwarded."""
    orders.record(
        number="SDB-9",
        source="city",
        received_at=at("2026-03-20 10:00"),  # period 2026-04 (03-19 … 04-18)
        demand="请反馈。",
        answer_due_at=at("2026-03-21 10:00"),
        street=org["street"],
        cases=[two_cases[0]],
        by=people["zuoxi"],
    )

    def exported(query=""):
        response = client.get(reverse("orders_summary") + query)
        assert response.status_code == 200
        rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(
            min_row=2, values_only=True
        )
        return sorted((r[0], r[6], r[9]) for r in rows)

    client.force_login(people["ducha"])
    assert exported() == [
        ("QDB-2026-031", "华龙苑南里社区", "超时未答复"),
        ("QDB-2026-031", "城市管理科", "超时未答复"),
        ("SDB-9", None, "未转办"),
    ]
    assert exported("?period=2026-03") == exported()[:2]
    assert client.get(reverse("orders_summary") + "?period=2026-13").status_code == 400
    client.force_login(people["outsider"])
    assert exported() == []
    client.force_login(people["keshi"])
    assert client.get(reverse("orders_summary")).status_code == 403
