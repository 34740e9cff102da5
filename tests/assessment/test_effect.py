"""What exemptions and appeals do to the scores: before, now, and if the rest passed."""

import re

import pytest

from jiesu.assessment.effect import case_effect, period_effect, shifted
from jiesu.assessment.models import Application
from jiesu.assessment.queries import scores
from tests.conftest import at

GOOD = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}
BAD = {"valid": True, "contacted": False, "solved": "unsolved", "satisfaction": "unsatisfied"}


@pytest.fixture
def period(org, people, closed_case, decided):
    cases = {
        "hly_good": closed_case("hly", **GOOD),
        "hly_bad": closed_case("hly", **BAD),
        "xyy_good": closed_case("xyy", **GOOD),
        "xyy_bad": closed_case("xyy", **BAD),
        "office_good": closed_case("office", **GOOD),
        "office_bad": closed_case("office", **BAD),
    }
    decided(cases["hly_bad"])
    decided(cases["xyy_bad"], "second_review")
    decided(cases["office_bad"], "refused")
    return cases


def test_before_now_and_if_the_rest_passed_by_hand(org, period):
    result = scores("2026-10", org["street"])
    effect = period_effect(result, org["street"])
    assert (effect["passed"], effect["under_way"]) == (1, 1)
    rows = {r["unit"]["name"]: (r["before"], r["now"], r["if_passed"]) for r in effect["rows"]}
    # 华龙苑南里社区: with its bad case 1 of 2 contacted, solved, satisfied → 50.0; out → 100.0
    assert rows["华龙苑南里社区"] == (50.0, 100.0, 100.0)
    # 小辛庄村: its bad case is still under review → 50.0 now, 100.0 if it passes
    assert rows["小辛庄村"] == (50.0, 50.0, 100.0)
    # 城市管理科's application was refused: nothing changes there, so no row
    assert "城市管理科" not in rows
    # the street: before 3 of 6 good → 50.0; now 3 of 5 → (0.1+0.5+0.4)×0.6 = 60.0;
    # if 小辛庄村's passes too 3 of 4 → 75.0
    assert rows["霍营街道"] == (50.0, 60.0, 75.0)
    assert effect["rows"][-1]["total"] is True


def test_taking_a_case_out_matches_recomputing_after_it_passes(org, period):
    street = org["street"]
    projected = shifted(scores("2026-10", street), street, take_out={period["xyy_bad"].pk})
    Application.objects.filter(case=period["xyy_bad"]).update(state="passed")
    actual = scores("2026-10", street)
    assert projected[None].as_dict() == actual["pooled"]
    for row in actual["rows"]:
        assert projected[row["unit"]["id"]].as_dict() == {**row, "rank": None}


def test_no_applications_no_effect(org, closed_case):
    closed_case("hly", **BAD)
    assert period_effect(scores("2026-10", org["street"]), org["street"]) is None


def test_one_case_with_and_without_it(org, period):
    under_way = case_effect(period["xyy_bad"])
    assert under_way["exempted"] is False
    assert [(r["unit"]["name"], r["counted"], r["left_out"]) for r in under_way["rows"]] == [
        ("霍营街道", 60.0, 75.0),
        ("小辛庄村", 50.0, 100.0),
    ]
    passed = case_effect(period["hly_bad"])
    assert passed["exempted"] is True
    # put back, the street has 3 good of 6 → 50.0; as it stands 60.0
    assert [(r["unit"]["name"], r["counted"], r["left_out"]) for r in passed["rows"]] == [
        ("霍营街道", 50.0, 60.0),
        ("华龙苑南里社区", 50.0, 100.0),
    ]


def test_pages_show_the_effect(client, org, people, period):
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?period=2026-10&unit={org['street'].pk}").content.decode()
    assert 'data-effect-passed="1"' in page and 'data-effect-under-way="1"' in page
    row = re.search(rf'data-effect-unit="{org["xyy"].pk}">.*?</tr>', page).group(0)
    cells = re.findall(r"<td[^>]*?(?: (data-[\w-]+))?>([^<]*)</td>", row)
    assert cells == [
        ("", "小辛庄村"),
        ("data-before", "50.0"),
        ("data-now", "50.0"),
        ("data-if-passed", "100.0"),
    ]
    app = Application.objects.get(case=period["xyy_bad"])
    detail = client.get(f"/assessment/applications/{app.pk}/").content.decode()
    assert "对考核成绩的影响(2026-10 周期)" in detail
    assert "<td data-counted>50.0</td><td data-left-out>100.0</td>" in detail
    assert "如申请通过" in detail


@pytest.fixture
def desk_closed(make_case, people):
    """A case closed at the desk (no lead unit) with the worst callback: in the street's
    total only, in no unit's row."""
    from jiesu.cases import workflow

    case = make_case(received_at=at("2026-10-07 09:00"))
    workflow.sign(case, by=people["zuoxi"], at=at("2026-10-07 09:05"))
    workflow.close(case, by=people["zuoxi"], answer="已电话答复来电人", at=at("2026-10-07 09:30"))
    workflow.callback(case, by=people["zuoxi"], at=at("2026-10-08 09:00"), **BAD)
    return case


def test_a_case_in_no_units_row_moves_the_total_once(org, closed_case, desk_closed, decided):
    closed_case("hly", **GOOD)
    closed_case("hly", **GOOD)
    street = org["street"]
    application = decided(desk_closed, "submitted")
    effect = period_effect(scores("2026-10", street), street)
    # now 2 good of 3 → 66.7; if the desk case is taken out, 2 of 2 → 100.0
    assert [(r["unit"]["name"], r["before"], r["now"], r["if_passed"]) for r in effect["rows"]] == [
        ("霍营街道", 66.7, 66.7, 100.0)
    ]
    assert case_effect(desk_closed)["rows"] == [
        {"key": None, "unit": effect["rows"][0]["unit"], "counted": 66.7, "left_out": 100.0}
    ]
    application.state = "passed"
    application.save()
    effect = period_effect(scores("2026-10", street), street)
    assert [(r["before"], r["now"]) for r in effect["rows"]] == [(66.7, 100.0)]


def test_before_equals_recomputing_with_the_applications_refused(org, period, desk_closed, decided):
    decided(desk_closed)
    street = org["street"]
    effect = period_effect(scores("2026-10", street), street)
    Application.objects.filter(state="passed").update(state="refused")
    recomputed = scores("2026-10", street)
    by_unit = {r["unit"]["id"]: r["score"] for r in recomputed["rows"]}
    for row in effect["rows"]:
        expected = recomputed["pooled"]["score"] if row["total"] else by_unit[row["unit"]["id"]]
        assert row["before"] == expected, row["unit"]["name"]


def test_shifted_moves_only_cases_it_may(org, period):
    """Putting back a counted case, or taking out an exempted one, changes nothing."""
    street = org["street"]
    result = scores("2026-10", street)
    unchanged = shifted(
        result, street, put_back={period["xyy_good"].pk}, take_out={period["hly_bad"].pk}
    )
    assert unchanged[None].as_dict() == {**result["pooled"], "rank": None}
    for row in result["rows"]:
        assert unchanged[row["unit"]["id"]].as_dict() == {**row, "rank": None}
