"""Exempted cases in the period scores: scores() counts them apart (a second grouped query
whose groups move from counted to left out), so cases that share every value with an
exempted one, a case with two passed applications and one without a lead unit are checked
by hand here."""

from jiesu.assessment.models import Application, ExemptionGround
from jiesu.assessment.queries import scores
from jiesu.cases.models import Case
from tests.conftest import at

GOOD = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}
BAD = {"valid": True, "contacted": False, "solved": "unsolved", "satisfaction": "unsatisfied"}
NUMBERS = ("received", "closed", "valid", "valid_full", "contacted", "solved", "satisfied")


def passed(case, people, kind="exemption"):
    Application.objects.create(
        case=case,
        kind=kind,
        ground=ExemptionGround.objects.first(),
        explanation="恶意重复来电",
        period="2026-10",
        deadline=at("2026-10-15 18:00"),
        created_by=people["zuoxi"],
        state="passed",
    )


def numbers(row):
    return tuple(row[name] for name in NUMBERS) + (row["score"],)


def row_of(result, unit):
    return next(r for r in result["rows"] if r["unit"]["id"] == unit.pk)


def test_exempted_cases_leave_exactly_their_own_counts(org, people, closed_case):
    same = [closed_case("hly", **GOOD) for _ in range(3)]  # one group of three cases
    bad = closed_case("hly", **BAD)
    desk = closed_case("office", **BAD)
    Case.objects.filter(pk=desk.pk).update(lead_unit=None)  # in the pooled row only
    street, district = org["street"], org["district"]

    before = scores("2026-10", street)
    # 华龙苑南里社区: 4 valid, 3 contacted, solved and satisfied → 75.0
    assert numbers(row_of(before, org["hly"])) == (4, 4, 4, 4, 3, 3, 3, 75.0)
    assert numbers(row_of(before, org["office"])) == (0, 0, 0, 0, 0, 0, 0, None)
    # the street: 5 valid, 3 good → (0.1 + 0.5 + 0.4) × 0.6 × 100
    assert numbers(before["pooled"]) == (5, 5, 5, 5, 3, 3, 3, 60.0)

    passed(same[1], people)
    passed(bad, people)
    passed(bad, people, kind="appeal")  # two passed applications take it out once
    passed(desk, people)
    after = scores("2026-10", street)
    # the two other good cases of the group stay; every exempted case stays in the volumes
    assert numbers(row_of(after, org["hly"])) == (4, 4, 2, 2, 2, 2, 2, 100.0)
    assert numbers(row_of(after, org["office"])) == (0, 0, 0, 0, 0, 0, 0, None)
    assert numbers(after["pooled"]) == (5, 5, 2, 2, 2, 2, 2, 100.0)
    # the district's row of the street is the street's pooled row
    in_district = scores("2026-10", district)
    assert numbers(row_of(in_district, street)) == (5, 5, 2, 2, 2, 2, 2, 100.0)
    assert numbers(row_of(in_district, org["other_street"])) == (0, 0, 0, 0, 0, 0, 0, None)
    assert numbers(in_district["pooled"]) == (5, 5, 2, 2, 2, 2, 2, 100.0)
