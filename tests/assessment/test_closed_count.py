"""办结量 counts the cases whose 办结时间 falls in the period, apart from 受理量 (cases received
in it): on a period built by hand, counted by hand, on every surface that shows it."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jiesu.assessment.queries import scores
from jiesu.cases import workflow
from jiesu.core.models import ApiToken
from tests.conftest import at


@pytest.fixture
def closing(make_case, people, org):
    """A case received at `received`, dispatched to `unit` and closed (审核通过) at `closed`;
    left open when `closed` is None. unit=None: closed at the desk, no lead unit."""

    def make(unit, received, closed=None, by="zuoxi", **fields):
        case = make_case(received_at=at(received), **fields)
        t = case.received_at
        by = people[by]
        if unit is None:
            workflow.sign(case, by=by, at=t + dt.timedelta(minutes=5))
            return workflow.close(case, by=by, answer="已电话答复来电人", at=at(closed))
        workflow.sign(case, by=by, at=t + dt.timedelta(minutes=5))
        workflow.dispatch(case, by=by, lead_unit=org[unit], at=t + dt.timedelta(minutes=20))
        if closed is None:
            return case
        end = at(closed)
        workflow.reply(
            case,
            by=people["zuzhang"],
            contact_at=t + dt.timedelta(minutes=30),
            contact_way="电话",
            facts="属实",
            actions="已处理完毕",
            result="已解决",
            citizen_response="满意",
            at=end - dt.timedelta(minutes=30),
        )
        return workflow.approve(case, by=people["shenhe"], at=end)

    return make


@pytest.fixture
def cases(org, closing):
    """Period 2026-10 runs from 2026-09-19 00:00 to 2026-10-19 00:00."""
    return {
        # received in 2026-09, closed in 2026-10: 办结量 of 2026-10, 受理量 of 2026-09
        "a": closing("hly", "2026-09-10 10:00", "2026-09-25 10:00"),
        # received and closed in 2026-10
        "b": closing("hly", "2026-10-10 09:00", "2026-10-12 09:00"),
        # received in 2026-10, closed in 2026-11: 受理量 of 10, 办结量 of 11
        "c": closing("xyy", "2026-10-15 09:00", "2026-10-20 09:00"),
        # received in 2026-10, still open
        "d": closing("xyy", "2026-10-16 09:00"),
        # closed in the last second of the period, and at the first of the next
        "e": closing("office", "2026-10-18 22:00", "2026-10-18 23:59:59"),
        "f": closing("office", "2026-10-18 09:00", "2026-10-19 00:00:00"),
        # received in 2026-08, closed at the first second of 2026-10
        "g": closing("hly", "2026-08-05 09:00", "2026-09-19 00:00:00"),
        # closed at the desk: in the street's total only
        "h": closing(None, "2026-09-30 09:00", "2026-09-30 10:00"),
        # received in 2026-10, closed in 2026-11
        "i": closing("hly", "2026-10-01 09:00", "2026-11-02 09:00"),
        # another street's case
        "x": closing(
            None,
            "2026-10-01 09:00",
            "2026-10-02 09:00",
            by="outsider",
            street=org["other_street"],
            community=org["elsewhere"],
        ),
    }


def counts(result, name):
    by_unit = {r["unit"]["name"]: (r["received"], r["closed"]) for r in result["rows"]}
    return by_unit[name]


def test_closed_by_closing_time_received_by_receiving_time(org, cases):
    october = scores("2026-10", org["street"])
    # 华龙苑南里社区: received b, i; closed a, b, g (i closes in November)
    assert counts(october, "华龙苑南里社区") == (2, 3)
    # 小辛庄村: received c, d; c closes in November, d is open
    assert counts(october, "小辛庄村") == (2, 0)
    # 城市管理科: received e, f; e closes at 23:59:59, f at 00:00 of the next period
    assert counts(october, "城市管理科") == (2, 1)
    # the street: the units' cases and h (desk): received 2+2+2+1, closed 3+0+1+1
    assert (october["pooled"]["received"], october["pooled"]["closed"]) == (7, 5)
    # counted the old way (received in the period and closed by now) it would be b c e f h i
    assert october["counted_by"]["closed"] == "closed_at"
    assert october["counted_by"]["received"] == october["counted_by"]["valid"] == "received_at"

    november = scores("2026-11", org["street"])
    assert counts(november, "华龙苑南里社区") == (0, 1)  # i
    assert counts(november, "小辛庄村") == (0, 1)  # c
    assert counts(november, "城市管理科") == (0, 1)  # f
    assert (november["pooled"]["received"], november["pooled"]["closed"]) == (0, 3)

    september = scores("2026-09", org["street"])
    # a received in 2026-09; g closed exactly at 09-19 00:00, the start of 2026-10
    assert (september["pooled"]["received"], september["pooled"]["closed"]) == (1, 0)

    district = scores("2026-10", org["district"])
    assert counts(district, "霍营街道") == (7, 5)
    assert counts(district, "回龙观街道") == (1, 1)


def drilled(client, org, period, count, child=None):
    params = {"period": period, "scope": org["street"].pk, "count": count}
    if child:
        params["child"] = org[child].pk
    response = client.get("/assessment/cases/", params)
    assert response.status_code == 200
    page = response.content.decode()
    return page, {int(pk) for pk in re.findall(r'data-case-row="(\d+)"', page)}


def ids(cases, names):
    return {cases[n].pk for n in names}


def test_the_cases_behind_the_figure_are_the_figure(client, org, people, cases):
    client.force_login(people["zuzhang"])
    page, found = drilled(client, org, "2026-10", "closed", "hly")
    assert found == ids(cases, "abg")
    assert "考核页上的数字为 3 件" in page
    assert "按办结时间统计,2026-09-19 00:00 至 2026-10-19 00:00 前办结" in page
    assert drilled(client, org, "2026-10", "closed")[1] == ids(cases, "abegh")
    assert drilled(client, org, "2026-10", "closed", "xyy")[1] == set()
    assert drilled(client, org, "2026-11", "closed")[1] == ids(cases, "cfi")
    page, found = drilled(client, org, "2026-10", "received", "hly")
    assert found == ids(cases, "bi")
    assert "按来电时间统计,2026-09-19 00:00 至 2026-10-19 00:00 前受理" in page
    # each figure of the table equals its list
    result = scores("2026-10", org["street"])
    for row in result["rows"]:
        child = next(k for k, u in org.items() if u.pk == row["unit"]["id"])
        assert len(drilled(client, org, "2026-10", "closed", child)[1]) == row["closed"]


def test_the_page_names_the_date_each_count_uses(client, org, people, cases):
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?period=2026-10&unit={org['street'].pk}").content.decode()
    assert "受理量及三率按来电时间、办结量按办结时间统计" in page
    hly = org["hly"].pk
    assert re.search(rf'count=closed&amp;child={hly}" title="办结量" data-drill="closed">3<', page)
    assert re.search(r'count=closed" title="办结量" data-drill="closed">5<', page)


def test_api_command_and_exports_agree(client, org, people, cases, capsys):
    street = org["street"].pk
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['zuzhang'])}"}
    from_api = client.get(f"/api/v1/scores?period=2026-10&unit={street}", **auth).json()
    assert (from_api["pooled"]["received"], from_api["pooled"]["closed"]) == (7, 5)
    assert from_api["counted_by"]["closed"] == "closed_at"
    listed = client.get(
        f"/api/v1/scores/cases?period=2026-10&unit={street}&child={org['hly'].pk}&count=closed",
        **auth,
    ).json()
    assert listed["count"] == 3
    assert {c["id"] for c in listed["items"]} == ids(cases, "abg")

    call_command("score", "--period", "2026-10", "--unit", str(street), "--json")
    assert json.loads(capsys.readouterr().out) == from_api
    call_command("score", "--period", "2026-10", "--unit", str(street))
    text = capsys.readouterr().out
    assert "办结量按办结时间统计" in text
    assert re.search(r"华龙苑南里社区\s+受理\s+2\s+办结\s+3", text)
    assert "合计:受理 7,办结 5" in text

    client.force_login(people["zuzhang"])
    book = client.get(f"/assessment/export.xlsx?period=2026-10&unit={street}")
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    header = rows[0]
    closed = header.index("办结量")
    table = {r[0]: (r[header.index("受理量")], r[closed]) for r in rows[1:] if r[0]}
    assert table["华龙苑南里社区"] == (2, 3)
    assert table["霍营街道(合计)"] == (7, 5)
    assert any("办结量按办结时间统计" in (r[0] or "") for r in rows)

    ledger = client.get(
        "/assessment/cases/export.xlsx",
        {"period": "2026-10", "scope": street, "count": "closed", "child": org["hly"].pk},
    )
    lines = list(load_workbook(io.BytesIO(ledger.content)).active.iter_rows(values_only=True))
    assert {r[0] for r in lines[1:]} == {cases[n].platform_no for n in "abg"}
