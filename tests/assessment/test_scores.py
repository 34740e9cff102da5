"""Scores of hand-built periods, worked out by hand."""

import datetime as dt

import pytest

from jiesu.assessment import rules
from jiesu.assessment.models import Application, ExemptionGround, ScoringRule
from jiesu.assessment.queries import scores
from tests.conftest import at


def row(result, name):
    return next(r for r in result["rows"] if r["unit"]["name"] == name)


def test_period_bounds_and_boundaries(db):
    assert rules.period_bounds("2026-10") == (at("2026-09-19 00:00"), at("2026-10-19 00:00"))
    assert rules.period_bounds("2026-01") == (at("2025-12-19 00:00"), at("2026-01-19 00:00"))
    assert rules.period_of(at("2026-10-18 23:59") + dt.timedelta(seconds=59)) == "2026-10"
    assert rules.period_of(at("2026-10-19 00:00")) == "2026-11"
    with pytest.raises(ValueError):
        rules.period_bounds("2026-13")
    assert rules.shift_period("2026-01", -1) == "2025-12"
    assert rules.shift_period("2026-12", 1) == "2027-01"
    assert rules.shift_period("2026-10", -12) == "2025-10"


def test_three_rates_and_the_score_by_hand(org, closed_case):
    # 华龙苑南里社区: 4 full cases with valid callbacks + 1 without a valid callback
    closed_case("hly", valid=True, contacted=True, solved="solved", satisfaction="satisfied")
    closed_case("hly", valid=True, contacted=True, solved="partly", satisfaction="basic")
    closed_case("hly", valid=True, contacted=False, solved="unsolved", satisfaction="unsatisfied")
    closed_case("hly", valid=True, contacted=True, solved="solved", satisfaction="basic")
    closed_case("hly", valid=False, contacted=False, solved="unsolved", satisfaction="unrated")
    # a 只评响应率 case counts in the response rate only
    closed_case(
        "hly",
        evaluation="response",
        valid=True,
        contacted=False,
        solved="unsolved",
        satisfaction="unsatisfied",
    )
    # a 不纳入考核 case counts nowhere but in the volume
    closed_case(
        "hly",
        evaluation="none",
        valid=True,
        contacted=False,
        solved="unsolved",
        satisfaction="unsatisfied",
    )
    result = scores("2026-10", org["street"])
    hly = row(result, "华龙苑南里社区")
    assert (hly["received"], hly["closed"], hly["valid"], hly["valid_full"]) == (7, 7, 5, 4)
    # 响应率 = 3 contacted / 5 valid (4 full + 1 response-only)
    assert hly["response_rate"] == pytest.approx(0.6)
    # 解决率 = (2 solved + 0 × 1 partly) / 4
    assert hly["resolution_rate"] == pytest.approx(0.5)
    # 满意率 = (1 satisfied + 0.9 × 2 basic) / 4 = 0.7
    assert hly["satisfaction_rate"] == pytest.approx(0.7)
    # 综合 = (0.1 × 0.6 + 0.5 × 0.5 + 0.4 × 0.7) × 100 = 59.0
    assert hly["score"] == 59.0
    assert hly["rank"] == 1
    office = row(result, "城市管理科")
    assert (office["received"], office["score"], office["rank"]) == (0, None, None)


def test_ranking_ties_break_on_volume_and_pooled_versus_mean(org, closed_case):
    closed_case("hly", valid=True, contacted=True, solved="solved", satisfaction="satisfied")
    closed_case("xyy", valid=True, contacted=True, solved="solved", satisfaction="satisfied")
    closed_case("xyy", valid=True, contacted=True, solved="solved", satisfaction="satisfied")
    closed_case("office", valid=True, contacted=True, solved="unsolved", satisfaction="unsatisfied")
    result = scores("2026-10", org["street"])
    assert [(r["unit"]["name"], r["score"], r["rank"]) for r in result["rows"][:3]] == [
        ("小辛庄村", 100.0, 1),
        ("华龙苑南里社区", 100.0, 2),
        ("城市管理科", 10.0, 3),
    ]
    # pooled: 4 valid, 4 contacted, 3 solved, 3 satisfied → (0.1 + 0.5×0.75 + 0.4×0.75)×100
    assert result["pooled"]["score"] == 77.5
    # mean of the three units' scores: (100 + 100 + 10) / 3
    assert result["mean"]["score"] == 70.0


def test_period_boundaries_at_midnight(org, closed_case):
    closed_case("hly", when="2026-10-18 23:59:59", valid=True)
    closed_case("hly", when="2026-10-19 00:00:00", valid=True)
    closed_case("hly", when="2026-09-19 00:00:00", valid=True)
    assert row(scores("2026-10", org["street"]), "华龙苑南里社区")["received"] == 2
    assert row(scores("2026-11", org["street"]), "华龙苑南里社区")["received"] == 1


def test_a_rule_change_between_periods(org, closed_case):
    ScoringRule.objects.create(
        effective_from=dt.date(2026, 11, 1), basic_satisfied_coef="0.5", partly_solved_coef="0.5"
    )
    for when in ("2026-10-05 09:00", "2026-11-05 09:00"):
        closed_case(
            "hly", when=when, valid=True, contacted=True, solved="partly", satisfaction="basic"
        )
    october = row(scores("2026-10", org["street"]), "华龙苑南里社区")
    november = row(scores("2026-11", org["street"]), "华龙苑南里社区")
    # October under the old rule: (0.1×1 + 0.5×0 + 0.4×0.9)×100 = 46.0
    assert october["score"] == 46.0
    # November under the new rule: (0.1×1 + 0.5×0.5 + 0.4×0.5)×100 = 55.0
    assert november["score"] == 55.0


def test_a_passed_exemption_takes_the_case_out(org, people, closed_case):
    closed_case("hly", valid=True, contacted=True, solved="solved", satisfaction="satisfied")
    bad = closed_case(
        "hly", valid=True, contacted=False, solved="unsolved", satisfaction="unsatisfied"
    )
    before = row(scores("2026-10", org["street"]), "华龙苑南里社区")["score"]
    application = Application.objects.create(
        case=bad,
        kind="exemption",
        ground=ExemptionGround.objects.first(),
        explanation="恶意重复来电",
        period="2026-10",
        deadline=at("2026-10-15 18:00"),
        created_by=people["zuoxi"],
        state="refused",
    )
    assert row(scores("2026-10", org["street"]), "华龙苑南里社区")["score"] == before == 50.0
    application.state = "passed"
    application.save()
    after = row(scores("2026-10", org["street"]), "华龙苑南里社区")
    assert (after["valid"], after["score"], after["received"]) == (1, 100.0, 2)


def test_units_equal_in_score_and_volume_share_a_rank(org, closed_case):
    from jiesu.org.models import Unit, UnitKind

    fourth = Unit.objects.create(name="霍营社区", kind=UnitKind.COMMUNITY, parent=org["street"])
    org["fourth"] = fourth
    good = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}
    # 小辛庄村: 100.0 on 2 cases; 华龙苑南里社区 and 城市管理科: 100.0 on 1 case each
    closed_case("xyy", **good)
    closed_case("xyy", **good)
    closed_case("hly", **good)
    closed_case("office", **good)
    # 霍营社区: contacted only, (0.1 × 1) × 100 = 10.0
    closed_case("fourth", valid=True, contacted=True, solved="unsolved", satisfaction="unsatisfied")
    result = scores("2026-10", org["street"])
    ranked = [(r["unit"]["name"], r["score"], r["received"], r["rank"]) for r in result["rows"]]
    # 1, 2, 2, 4: the tied pair in the order of their ids (城市管理科 was made first)
    assert ranked == [
        ("小辛庄村", 100.0, 2, 1),
        ("城市管理科", 100.0, 1, 2),
        ("华龙苑南里社区", 100.0, 1, 2),
        ("霍营社区", 10.0, 1, 4),
    ]


def test_ranking_by_hand_with_ties_and_unscored_units():
    from jiesu.assessment.queries import ScoreRow, _rank

    def unit(n, score, received):
        return ScoreRow(unit={"id": n, "name": str(n)}, score=score, received=received)

    rows = [
        unit(1, 90.0, 5),
        unit(2, 95.0, 3),
        unit(3, 90.0, 5),
        unit(4, 90.0, 5),
        unit(5, None, 7),
        unit(6, 90.0, 6),
        unit(7, 80.0, 9),
        unit(8, 80.0, 9),
    ]
    _rank(rows)
    # 95.0 first; 90.0 on 6 cases before 90.0 on 5; three tied at 90.0/5 share 3rd;
    # the two at 80.0/9 share 6th; no score, no rank
    assert {r.unit["id"]: r.rank for r in rows} == {
        1: 3,
        2: 1,
        3: 3,
        4: 3,
        5: None,
        6: 2,
        7: 6,
        8: 6,
    }
