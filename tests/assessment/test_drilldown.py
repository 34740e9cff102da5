"""Every number on the 考核 page opens the cases behind it, and the list holds exactly them."""

import re

import pytest

from jiesu.assessment.queries import DRILLS, drill_counts, scores
from tests.conftest import at


@pytest.fixture
def period(org, people, closed_case, make_case, decided):
    """A hand-built 2026-10 period at 霍营街道, named cases by what they should count in."""
    c = {
        "good": closed_case(
            "hly", valid=True, contacted=True, solved="solved", satisfaction="satisfied"
        ),
        "partly_basic": closed_case(
            "hly", valid=True, contacted=True, solved="partly", satisfaction="basic"
        ),
        "bad": closed_case(
            "hly", valid=True, contacted=False, solved="unsolved", satisfaction="unsatisfied"
        ),
        "invalid": closed_case(
            "hly", valid=False, contacted=False, solved="unsolved", satisfaction="unrated"
        ),
        "response_only": closed_case(
            "hly",
            evaluation="response",
            valid=True,
            contacted=False,
            solved="unsolved",
            satisfaction="unsatisfied",
        ),
        "not_assessed": closed_case(
            "hly",
            evaluation="none",
            valid=True,
            contacted=False,
            solved="unsolved",
            satisfaction="unsatisfied",
        ),
        "exempted": closed_case(
            "hly", valid=True, contacted=False, solved="unsolved", satisfaction="unsatisfied"
        ),
        "office": closed_case(
            "office", valid=True, contacted=True, solved="solved", satisfaction="basic"
        ),
        # the last second of the period, and the first of the next
        "last_second": closed_case("xyy", when="2026-10-18 23:59:59"),
        "next_period": closed_case("xyy", when="2026-10-19 00:00:00"),
    }
    decided(c["exempted"])
    # open, not yet dispatched: only in the street's total, not in any unit's row
    c["undispatched"] = make_case(received_at=at("2026-10-06 10:00"))
    return c


def drill(client, org, count, child=None, period="2026-10", **extra):
    params = {"period": period, "scope": org["street"].pk, "count": count, **extra}
    if child is not None:
        params["child"] = org[child].pk
    return client.get("/assessment/cases/", params)


def listed(response) -> set[int]:
    assert response.status_code == 200
    page = response.content.decode()
    shown = {int(pk) for pk in re.findall(r'data-case-row="(\d+)"', page)}
    count = int(re.search(r'data-count="(\d+)"', page).group(1))
    assert count == len(shown)  # one page is enough here
    return shown


def ids(cases, *names):
    return {cases[n].pk for n in names}


def test_each_list_holds_exactly_the_cases_worked_out_by_hand(client, org, people, period):
    client.force_login(people["zuzhang"])
    # every case of 华龙苑南里社区 is closed
    in_hly = ids(
        period,
        "good",
        "partly_basic",
        "bad",
        "invalid",
        "response_only",
        "not_assessed",
        "exempted",
    )
    expected = {
        "received": in_hly,
        "closed": in_hly,
        # 只评响应率 counts in the response rate; no valid callback, 不纳入考核 and the
        # passed exemption count nowhere
        "valid": ids(period, "good", "partly_basic", "bad", "response_only"),
        "valid_full": ids(period, "good", "partly_basic", "bad"),
        "contacted": ids(period, "good", "partly_basic"),
        "solved": ids(period, "good"),
        "partly_solved": ids(period, "partly_basic"),
        "satisfied": ids(period, "good"),
        "basically_satisfied": ids(period, "partly_basic"),
        "lost_response": ids(period, "bad", "response_only"),
        "lost_resolution": ids(period, "partly_basic", "bad"),
        "lost_satisfaction": ids(period, "partly_basic", "bad"),
    }
    assert set(expected) == set(DRILLS)
    for count, cases in expected.items():
        assert listed(drill(client, org, count, child="hly")) == cases, count


def test_every_list_matches_its_number_for_every_row(client, org, people, period):
    client.force_login(people["zuzhang"])
    result = scores("2026-10", org["street"])
    rows = [(r["unit"]["id"], r) for r in result["rows"]] + [(None, result["pooled"])]
    units = {u.pk: key for key, u in org.items()}
    for unit_id, row in rows:
        for count, number in drill_counts(row).items():
            child = units[unit_id] if unit_id else None
            assert len(listed(drill(client, org, count, child=child))) == number, (
                row["unit"]["name"],
                count,
            )
    # the period ends at 10-18 24:00: the case at 23:59:59 is in, 00:00:00 is not
    xyy = listed(drill(client, org, "received", child="xyy"))
    assert xyy == ids(period, "last_second")
    assert listed(drill(client, org, "received", child="xyy", period="2026-11")) == ids(
        period, "next_period"
    )


def test_the_page_links_each_number_to_its_list(client, org, people, period):
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?period=2026-10&unit={org['street'].pk}").content.decode()
    street, hly = org["street"].pk, org["hly"].pk
    base = f"/assessment/cases/?period=2026-10&amp;scope={street}"
    assert f'{base}&amp;count=received&amp;child={hly}" title="受理量"' in page
    assert f'{base}&amp;count=lost_resolution&amp;child={hly}"' in page
    # the total row drills into the whole street
    assert f'{base}&amp;count=valid" title="有效回访" data-drill="valid">5<' in page
    total = listed(drill(client, org, "received"))
    assert period["undispatched"].pk in total and len(total) == 11 - 1


def test_the_list_says_what_it_is_and_keeps_it_through_filters(client, org, people, period):
    client.force_login(people["zuzhang"])
    response = drill(client, org, "lost_response", child="hly", q="不存在的关键词")
    page = response.content.decode()
    assert "华龙苑南里社区 · 2026-10 考核周期 · 响应率失分(未联系)" in page
    assert "考核页上的数字为 2 件" in page
    assert listed(response) == set()  # the keyword narrows the list further
    for name, value in (("period", "2026-10"), ("count", "lost_response")):
        assert f'type="hidden" name="{name}" value="{value}"' in page
    assert f'href="?period=2026-10&amp;scope={org["street"].pk}&amp;count=lost_response' in page
    # callback results are shown, and callers stay masked
    good = drill(client, org, "solved", child="hly").content.decode()
    assert "已联系 · 解决 · 满意" in good
    assert period["good"].caller_name not in good


def test_refusals(client, org, people, period):
    client.force_login(people["shequ"])
    assert drill(client, org, "received").status_code == 403
    client.force_login(people["zuzhang"])
    assert drill(client, org, "no_such_count").status_code == 404
    assert drill(client, org, "received", child="elsewhere").status_code == 404
    outside = client.get(
        "/assessment/cases/",
        {"period": "2026-10", "scope": org["other_street"].pk, "count": "received"},
    )
    assert outside.status_code == 403


def test_conditions_agree_with_the_counting_rule_on_every_combination(
    org, people, make_case, decided
):
    """count_condition (SQL) and case_counts (Python, used by scores) on every combination of
    the values a case's counts depend on, under both settings of 只评响应率."""
    from itertools import product

    from jiesu.assessment import rules
    from jiesu.assessment.queries import COUNTS, case_counts, count_condition
    from jiesu.cases.models import Case

    values = list(
        product(
            ["full", "response", "none"],
            [True, False, None],
            [True, False, None],
            ["solved", "partly", "unsolved", None],
            ["satisfied", "basic", "unsatisfied", "unrated", None],
        )
    )
    made = {}
    for i, (evaluation, valid, contacted, solved, satisfaction) in enumerate(values):
        case = make_case(received_at=at("2026-10-05 09:00"), evaluation_type=evaluation)
        exempt, closed = i % 7 == 0, i % 3 == 0
        # the callback values are set directly: this tests counting, not the workflow
        Case.objects.filter(pk=case.pk).update(
            callback_valid=valid,
            callback_contacted=contacted,
            callback_solved=solved or "",
            callback_satisfaction=satisfaction or "",
            closed_at=at("2026-10-06 09:00") if closed else None,
        )
        if exempt:
            decided(case)
        made[case.pk] = (
            evaluation,
            valid,
            contacted,
            solved or "",
            satisfaction or "",
            closed,
            exempt,
        )
    for response_only_counts in (True, False):
        rule = rules.rule_on(at("2026-10-18 00:00").date())
        rule.response_only_counts = response_only_counts
        expected = {name: set() for name in DRILLS}
        for pk, case_values in made.items():
            flags = dict(zip(COUNTS, case_counts(rule, *case_values), strict=True))
            for name, flag in flags.items():
                if flag:
                    expected[name].add(pk)
            if flags["valid"] and not flags["contacted"]:
                expected["lost_response"].add(pk)
            if flags["valid_full"] and not flags["solved"]:
                expected["lost_resolution"].add(pk)
            if flags["valid_full"] and not flags["satisfied"]:
                expected["lost_satisfaction"].add(pk)
        for name in DRILLS:
            found = set(
                Case.objects.filter(count_condition(name, rule)).values_list("pk", flat=True)
            )
            assert found == expected[name], (name, response_only_counts)
        # and the sets are not trivially empty
        assert len(expected["lost_satisfaction"]) > 10


def test_the_api_gives_the_same_cases(client, org, people, period):
    from jiesu.core.models import ApiToken

    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['zuzhang'])}"}
    street, hly = org["street"].pk, org["hly"].pk
    url = f"/api/v1/scores/cases?period=2026-10&unit={street}&child={hly}&count=lost_response"
    body = client.get(url, **auth).json()
    assert body["count"] == 2
    assert {c["id"] for c in body["items"]} == ids(period, "bad", "response_only")
    assert all(c["caller_phone"] == "138****1234" for c in body["items"])
    whole = client.get(f"/api/v1/scores/cases?period=2026-10&unit={street}&count=valid", **auth)
    assert whole.json()["count"] == 5
    paged = client.get(
        f"/api/v1/scores/cases?period=2026-10&unit={street}&count=received&page=2&page_size=4",
        **auth,
    ).json()
    assert (paged["count"], len(paged["items"])) == (10, 4)
    for query, field in (
        (f"period=2026-10&unit={street}&count=nothing", "count"),
        (f"period=2026-10&unit={street}&child={org['elsewhere'].pk}&count=valid", "child"),
        (f"period=2026-13&unit={street}&count=valid", "period"),
    ):
        response = client.get(f"/api/v1/scores/cases?{query}", **auth)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == field
    other = f"/api/v1/scores/cases?period=2026-10&unit={org['other_street'].pk}&count=valid"
    assert client.get(other, **auth).status_code == 403


def test_export_of_the_list_with_callback_results(client, org, people, period, monkeypatch):
    import io

    from openpyxl import load_workbook

    from jiesu.assessment import views

    client.force_login(people["zuzhang"])
    page = drill(client, org, "lost_satisfaction", child="hly").content.decode()
    street, hly = org["street"].pk, org["hly"].pk
    link = (
        f"/assessment/cases/export.xlsx?period=2026-10&amp;scope={street}"
        f"&amp;count=lost_satisfaction&amp;child={hly}"
    )
    assert f'href="{link}"' in page
    response = client.get(link.replace("&amp;", "&"))
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[-6:] == (
        "考核类型",
        "回访时间",
        "是否有效回访",
        "是否联系",
        "是否解决",
        "是否满意",
    )
    got = {r[0]: r for r in rows[1:]}
    assert set(got) == {period["partly_basic"].platform_no, period["bad"].platform_no}
    assert got[period["bad"].platform_no][-4:] == ("是", "否", "未解决", "不满意")
    assert got[period["partly_basic"].platform_no][-2:] == ("部分解决", "基本满意")
    assert got[period["bad"].platform_no][header.index("来电人电话")] == "138****1234"
    # the filters of the list apply to the export too
    narrowed = client.get(link.replace("&amp;", "&") + "&q=不存在的关键词")
    assert len(list(load_workbook(io.BytesIO(narrowed.content)).active.iter_rows())) == 1
    # a list too long for one file is refused with a message, not cut short
    monkeypatch.setattr(views, "EXPORT_LIMIT", 1)
    refused = client.get(link.replace("&amp;", "&"), follow=True)
    assert "无法一次导出" in refused.content.decode()
    assert refused.redirect_chain[-1][0].startswith("/assessment/cases/?")


def test_units_with_units_under_them_open_their_own_table(client, org, people, period):
    district, street = org["district"].pk, org["street"].pk
    client.force_login(people["ducha"])
    page = client.get(f"/assessment/?period=2026-10&unit={district}").content.decode()
    assert f'href="?period=2026-10&amp;unit={street}" data-unit-open="{street}"' in page
    # the district's row for the street drills into the cases by street
    assert listed(
        client.get(
            "/assessment/cases/",
            {"period": "2026-10", "scope": district, "child": street, "count": "received"},
        )
    ) == listed(drill(client, org, "received"))
    page = client.get(f"/assessment/?period=2026-10&unit={street}").content.decode()
    assert f'data-unit-up="{district}"' in page
    assert "data-unit-open" not in page  # communities and offices have no units under them
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?period=2026-10&unit={street}").content.decode()
    assert "data-unit-up" not in page  # the district is not theirs to see


def test_bad_parameters_get_chinese_answers_not_errors(client, org, people, period):
    from jiesu.core.models import ApiToken

    client.force_login(people["zuzhang"])
    street = org["street"].pk
    for params, status, text in (
        ({"child": "²"}, 404, "该单位不在本次考核的单位中"),
        ({"scope": "²"}, 404, "单位编号不正确"),
        ({"scope": "99999999999999999999"}, 404, "单位编号不正确"),
        ({"child": "99999999999"}, 404, "该单位不在本次考核的单位中"),
        ({"count": "nothing"}, 404, "没有这一项考核数字"),
        ({"period": "2026-13"}, 404, "考核周期“2026-13”格式不对"),
    ):
        query = {"period": "2026-10", "scope": street, "count": "valid", **params}
        response = client.get("/assessment/cases/", query)
        assert response.status_code == status, params
        page = response.content.decode()
        assert f'data-error-page="{status}"' in page and text in page, params
    # a period that cannot be falls back to the current one, saying so
    page = client.get("/assessment/", {"period": "0001-01", "unit": street}).content.decode()
    assert "考核周期“0001-01”格式不对" in page and "已改为显示本期" in page
    refused = client.get("/assessment/cases/", {"scope": org["other_street"].pk, "count": "valid"})
    assert "您无权查看该单位的考核成绩" in refused.content.decode()
    # the export refuses a filter it cannot read instead of exporting everything
    bad_filter = client.get(
        "/assessment/cases/export.xlsx",
        {"period": "2026-10", "scope": street, "count": "valid", "received_from": "昨天"},
        follow=True,
    )
    assert "查询条件有误,未导出" in bad_filter.content.decode()

    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['zuzhang'])}"}
    huge = client.get(
        f"/api/v1/scores/cases?period=2026-10&unit={street}&count=valid&page=99999999999999999999",
        **auth,
    )
    assert (huge.status_code, huge.json()["error"]["field"]) == (422, "page")
    missing = client.get("/api/v1/scores?period=2026-10&unit=99999999", **auth)
    assert (missing.status_code, missing.json()["error"]["message"]) == (404, "没有找到该单位。")
    old = client.get(f"/api/v1/scores?period=0001-01&unit={street}", **auth)
    assert old.status_code == 422 and "格式不对" in old.json()["error"]["message"]
