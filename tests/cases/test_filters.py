"""The one case filter (cases.filters.CaseFilter) on five hand-built cases: each parameter
alone and combined, local days, the search as the user, invalid input; and the list page,
the API and the export giving the same cases for the same query string."""

import io
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from jiesu.cases.filters import CaseFilter
from jiesu.cases.models import Case, Tag
from jiesu.core import params
from tests.conftest import at

NOW = at("2026-03-05 12:00")


@pytest.fixture
def five(make_case, org, categories):
    """A: 03-01 23:59, received, red, 华龙苑 community, 占道经营, tag 噪音, phone 139…1111.
    B: 03-02 00:00, dispatched to 城市管理科, 小辛庄村, 垃圾清运, district platform, consult,
    yellow. C: 03-02 23:30, dispatched to 华龙苑 with 城市管理科 as co-unit, no community,
    市容环卫 itself, help, green. D: 03-03 08:00, closed, 华龙苑 community, no category, no
    clock, tag 噪音. E: 03-04 10:00, received, 回龙观街道's 龙跃苑社区."""
    noise = Tag.objects.create(name="噪音")
    Tag.objects.create(name="占道")
    made = {
        "A": make_case(
            platform_no="FLT-A",  # no counter digits: "1111" must find A by its phone only
            received_at=at("2026-03-01 23:59"),
            title="夜间施工噪音扰民",
            content="工地夜里12点还在施工。",
            caller_phone="13900001111",
            category=categories["stalls"],
        ),
        "B": make_case(
            platform_no="FLT-B",
            received_at=at("2026-03-02 00:00"),
            title="垃圾未清运",
            content="楼下垃圾桶满了三天。",
            community=org["xyy"],
            platform="district",
            request_type="consult",
            category=categories["garbage"],
        ),
        "C": make_case(
            platform_no="FLT-C",
            received_at=at("2026-03-02 23:30"),
            title="路灯不亮",
            content="小区东门路灯坏了一周。",
            community=None,
            request_type="help",
            category=categories["mid"],
        ),
        "D": make_case(
            platform_no="FLT-D",
            received_at=at("2026-03-03 08:00"),
            title="商贩占道经营",
            content="东门商贩每天晚上摆摊。",
        ),
        "E": make_case(
            platform_no="FLT-E",
            received_at=at("2026-03-04 10:00"),
            title="楼道堆物",
            content="楼道里堆满纸箱。",
            street=org["other_street"],
            community=org["elsewhere"],
        ),
    }
    clocks = {
        "A": ("received", None, at("2026-03-03 12:00"), at("2026-03-04 12:00")),
        "B": ("dispatched", org["office"], at("2026-03-05 10:00"), at("2026-03-06 12:00")),
        "C": ("dispatched", org["hly"], at("2026-03-06 12:00"), at("2026-03-07 12:00")),
        "D": ("closed", None, None, None),
        "E": ("received", None, None, None),
    }
    for key, (state, lead, warn, due) in clocks.items():
        Case.objects.filter(pk=made[key].pk).update(
            state=state, lead_unit=lead, current_warn_at=warn, current_due_at=due
        )
    made["C"].co_units.add(org["office"])
    made["A"].tags.add(noise)
    made["D"].tags.add(noise)
    return {key: case.pk for key, case in made.items()}


@pytest.fixture
def named(five):
    by_pk = {pk: key for key, pk in five.items()}

    def names(data, user=None, cases=None):
        found = CaseFilter(data, cases or Case.objects.all(), user=user, now=NOW)
        assert found.is_valid(), found.errors
        return "".join(sorted(by_pk[c.pk] for c in found.qs))

    return names


def test_each_filter_alone(named, org, categories):
    tag = Tag.objects.get(name="噪音").pk
    assert named({}) == "ABCDE"
    assert named({"state": "dispatched"}) == "BC"
    assert named({"state": "closed"}) == "D"
    assert named({"state": "received"}) == "AE"
    assert named({"lamp": "red"}) == "A"
    assert named({"lamp": "yellow"}) == "B"
    assert named({"lamp": "green"}) == "C"
    # the unit's subtree, as lead unit, co-unit or community
    assert named({"unit": org["office"].pk}) == "BC"
    assert named({"unit": org["hly"].pk}) == "ACD"
    assert named({"unit": org["xyy"].pk}) == "B"
    assert named({"unit": org["street"].pk}) == "ABCD"
    assert named({"unit": org["other_street"].pk}) == "E"
    assert named({"community": org["hly"].pk}) == "AD"
    assert named({"community": org["elsewhere"].pk}) == "E"
    # the category with its sub-categories
    assert named({"category": categories["mid"].pk}) == "ABC"
    assert named({"category": categories["top"].pk}) == "ABC"
    assert named({"category": categories["stalls"].pk}) == "A"
    assert named({"request_type": "consult"}) == "B"
    assert named({"request_type": "help"}) == "C"
    assert named({"request_type": "complaint"}) == "ADE"
    assert named({"tag": tag}) == "AD"
    assert named({"tag": Tag.objects.get(name="占道").pk}) == ""
    assert named({"platform": "district"}) == "B"
    assert named({"platform": "city"}) == "ACDE"
    # Beijing days: 03-01 23:59 is the first, 03-02 00:00 and 23:30 the second
    assert named({"received_from": "2026-03-02"}) == "BCDE"
    assert named({"received_to": "2026-03-02"}) == "ABC"
    assert named({"received_from": "2026-03-02", "received_to": "2026-03-02"}) == "BC"
    assert named({"received_to": "2026-03-01"}) == "A"
    assert named({"q": "施工"}) == "A"
    assert named({"q": "路灯 东门"}) == "C"


def test_filters_combined(named, org, categories):
    tag = Tag.objects.get(name="噪音").pk
    assert named({"state": "dispatched", "unit": org["office"].pk}) == "BC"
    assert named({"state": "dispatched", "unit": org["office"].pk, "lamp": "yellow"}) == "B"
    mid = categories["mid"].pk
    assert named({"category": mid, "received_to": "2026-03-02", "platform": "city"}) == "AC"
    assert named({"community": org["hly"].pk, "tag": tag, "received_from": "2026-03-02"}) == "D"
    assert named({"q": "垃圾", "state": "dispatched"}) == "B"
    assert named({"q": "垃圾", "state": "closed"}) == ""
    assert named({"unit": org["hly"].pk, "request_type": "complaint", "lamp": "red"}) == "A"


def test_the_caller_gives_the_cases(named, org, five):
    """The filter narrows what it is given: a user's cases, a queue's."""
    mine = Case.objects.filter(street=org["street"])
    assert named({"state": "received"}, cases=mine) == "A"
    assert named({}, cases=Case.objects.filter(pk=five["E"])) == "E"


def test_phones_are_found_only_for_who_may_reveal_them(named, people):
    assert named({"q": "13900001111"}, user=people["zuoxi"]) == "A"
    assert named({"q": "1111"}, user=people["zuoxi"]) == "A"
    assert named({"q": "13900001111"}, user=people["shenhe"]) == ""
    assert named({"q": "13900001111"}) == ""


def test_a_unit_need_not_be_offered_to_be_named(five, org):
    """The select offers the handling units; a program may name a street."""
    select = str(CaseFilter(None, Case.objects.none()).form["unit"])
    assert f'<option value="{org["office"].pk}">城市管理科</option>' in select
    assert f'value="{org["street"].pk}"' not in select
    assert select.startswith('<select id="id_unit" name="unit">')
    assert '<option value="">全部承办单位</option>' in select


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"received_from": "1999-12-31"}, "received_from", params.DATE_RANGE_MESSAGE),
        ({"received_to": "2100-01-01"}, "received_to", params.DATE_RANGE_MESSAGE),
        ({"q": " ".join(["噪音"] * 11)}, "q", params.SEARCH_MESSAGE),
        ({"q": "噪" * 101}, "q", params.SEARCH_MESSAGE),
        ({"state": "open"}, "state", "选择一个有效的选项。 open 不在可用的选项中。"),
        ({"unit": "99999999"}, "unit", "选择一个有效的选项： 该选择不在可用的选项中。"),
    ],
)
def test_invalid_input_filters_nothing_and_says_why(five, data, field, message):
    found = CaseFilter({**data, "platform": "district"}, Case.objects.all())
    assert not found.is_valid()
    assert found.first_error() == (field, message)
    assert found.qs.count() == 5  # the page lists every case under its error


# Query strings and the cases the street's leader gets for them (E is another street's).
QUERIES = [
    ({"state": "dispatched"}, "BC"),
    ({"unit": "office", "state": "dispatched"}, "BC"),
    ({"community": "hly"}, "AD"),
    ({"category": "mid", "received_to": "2026-03-02"}, "ABC"),
    ({"received_from": "2026-03-02", "platform": "city"}, "CD"),
    ({"request_type": "complaint", "tag": "噪音"}, "AD"),
    ({"q": "垃圾"}, "B"),
    ({"q": "13900001111"}, "A"),
    ({"lamp": "red", "unit": "street"}, "ABC"),  # today, all three clocks have run out
]


def _query(raw, org, categories):
    out = dict(raw)
    for key in ("unit", "community"):
        if key in out:
            out[key] = org[out[key]].pk
    if "category" in out:
        out["category"] = categories[out["category"]].pk
    if "tag" in out:
        out["tag"] = Tag.objects.get(name=out["tag"]).pk
    return urlencode(out)


@pytest.mark.parametrize("raw, letters", QUERIES)
def test_page_api_and_export_list_the_same_cases(
    client, people, org, categories, five, raw, letters
):
    client.force_login(people["zuzhang"])
    query = _query(raw, org, categories)
    by_pk = {pk: key for key, pk in five.items()}

    def named(pks):
        return "".join(sorted(by_pk[pk] for pk in pks))

    page = client.get(f"/cases/?{query}")
    assert named(c.pk for c in page.context["page"].object_list) == letters
    api = client.get(f"/api/v1/cases?{query}").json()
    assert named(item["id"] for item in api["items"]) == letters
    drill = urlencode({"period": "2026-03", "scope": org["street"].pk, "count": "received"})
    listed = client.get(f"/assessment/cases/?{drill}&{query}")
    assert named(c.pk for c in listed.context["page"].object_list) == letters
    exported = client.get(f"/assessment/cases/export.xlsx?{drill}&{query}")
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号"
    numbers = dict(Case.objects.values_list("platform_no", "pk"))
    assert named(numbers[row[0]] for row in rows[1:]) == letters


def test_the_api_refuses_what_the_page_shows_as_an_error(client, people, five):
    client.force_login(people["zuzhang"])
    response = client.get("/api/v1/cases?state=open")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "state"
    assert error["message"] == "输入有误:state:选择一个有效的选项。 open 不在可用的选项中。"
    dates = client.get("/api/v1/cases?received_from=1999-12-31").json()["error"]
    assert dates["message"] == f"输入有误:received_from:{params.DATE_RANGE_MESSAGE}"
    page = client.get("/cases/?state=open")
    assert page.context["page"].paginator.count == 4  # every case of the street
    assert "查询条件有误:状态" in page.content.decode()
