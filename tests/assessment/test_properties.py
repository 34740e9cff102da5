"""Properties of the scores on random small periods stored in the database."""

from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiesu.assessment import rules
from jiesu.assessment.effect import shifted
from jiesu.assessment.estimate import estimate
from jiesu.assessment.queries import ScoreRow, exact_score, scores
from tests.assessment.conftest import set_worst_callback
from tests.conftest import at

NOW = at("2026-10-10 12:00")
WORST = {"valid": True, "contacted": False, "solved": "unsolved", "satisfaction": "unsatisfied"}

callback = st.one_of(
    st.none(),  # closed, waiting for its callback
    st.fixed_dictionaries(
        {
            "valid": st.booleans(),
            "contacted": st.booleans(),
            "solved": st.sampled_from(["solved", "partly", "unsolved"]),
            "satisfaction": st.sampled_from(["satisfied", "basic", "unsatisfied", "unrated"]),
        }
    ),
)
case = st.tuples(
    st.sampled_from(["hly", "xyy", "office"]),
    st.sampled_from(["full", "full", "response", "none"]),
    st.booleans(),  # still open
    callback,
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def build(cases, make_case, closed_case):
    made = []
    for unit, evaluation, still_open, result in cases:
        if still_open:
            made.append(make_case(received_at=at("2026-10-08 09:00"), evaluation_type=evaluation))
        else:
            made.append(closed_case(unit, evaluation=evaluation, **(result or {})))
    return made


def rows_of(result):
    return [*result["rows"], result["pooled"]]


@SETTINGS
@given(cases=st.lists(case, min_size=1, max_size=8))
def test_rates_in_range_and_each_risk_loss_is_exact(cases, org, people, make_case, closed_case):
    with transaction.atomic():
        build(cases, make_case, closed_case)
        live = estimate(org["street"], now=NOW)
        for row in rows_of(live["scores"]):
            for name in ("response_rate", "resolution_rate", "satisfaction_rate"):
                assert row[name] is None or 0 <= row[name] <= 1
            assert row["score"] is None or 0 <= row["score"] <= 100
        rule = rules.rule_on(at("2026-10-18 00:00").date())
        base = exact_score(ScoreRow(**live["scores"]["pooled"]), rule)
        for risk in live["risk"]:
            with transaction.atomic():
                set_worst_callback(risk.case.pk)
                after = exact_score(ScoreRow(**scores("2026-10", org["street"])["pooled"]), rule)
                assert float(base - after) == risk.loss
                transaction.set_rollback(True)
        transaction.set_rollback(True)


@SETTINGS
@given(cases=st.lists(case, min_size=0, max_size=8), unit=st.sampled_from(["hly", "xyy"]))
def test_approving_an_exemption_never_lowers_the_score(
    cases, unit, org, people, make_case, closed_case, decided
):
    """Exemptions are filed for cases that ended badly: taking one out never lowers the
    unit's or the street's score, and the effect page's projection says so exactly."""
    with transaction.atomic():
        build(cases, make_case, closed_case)
        bad = closed_case(unit, **WORST)
        street = org["street"]
        before = scores("2026-10", street)
        projected = shifted(before, street, take_out={bad.pk})
        decided(bad)
        after = scores("2026-10", street)
        pairs = [(before["pooled"], after["pooled"])]
        by_unit = {r["unit"]["id"]: r for r in after["rows"]}
        pairs += [(r, by_unit[r["unit"]["id"]]) for r in before["rows"]]
        for old, new in pairs:
            if old["score"] is not None and new["score"] is not None:
                assert Decimal(str(new["score"])) >= Decimal(str(old["score"]))
        assert projected[None].as_dict() == after["pooled"]
        for row in after["rows"]:
            assert projected[row["unit"]["id"]].as_dict() == {**row, "rank": None}
        transaction.set_rollback(True)
