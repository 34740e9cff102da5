"""The live estimate and its risk list, by hand and against recomputation."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from jiesu.assessment import rules
from jiesu.assessment.estimate import estimate
from jiesu.assessment.queries import ScoreRow, exact_score, rate_and_score, scores
from jiesu.cases import workflow
from jiesu.cases.models import Case
from jiesu.core.models import ApiToken
from tests.assessment.conftest import set_worst_callback
from tests.conftest import at

NOW = at("2026-10-10 12:00")


def test_risk_list_by_hand(org, people, make_case, closed_case):
    closed_case("hly", valid=True)
    closed_case("hly", valid=True)
    full = make_case(received_at=at("2026-10-08 09:00"))
    response_only = make_case(received_at=at("2026-10-08 10:00"), evaluation_type="response")
    make_case(received_at=at("2026-10-08 11:00"), evaluation_type="none")
    live = estimate(org["street"], now=NOW)
    assert live["period"] == "2026-10"
    assert live["scores"]["pooled"]["score"] == 100.0
    # full case ending badly: every rate 2/3 → 66.67, a loss of 33.33
    # response-only case: response 2/3, the others stay 1 → 96.67, a loss of 3.33
    assert [(r.case.pk, round(r.loss, 2)) for r in live["risk"]] == [
        (full.pk, 33.33),
        (response_only.pk, 3.33),
    ]
    assert live["at_risk"] == 2


def test_each_loss_matches_recomputing_the_score(org, people, make_case, closed_case):
    closed_case("hly", valid=True, contacted=True, solved="partly", satisfaction="basic")
    closed_case("xyy", valid=True, contacted=False, solved="solved", satisfaction="satisfied")
    waiting = closed_case("office")  # closed, not yet called back
    make_case(received_at=at("2026-10-09 09:00"))
    live = estimate(org["street"], now=NOW)
    rule = rules.rule_on(dt.date(2026, 10, 18))
    base = exact_score(ScoreRow(**live["scores"]["pooled"]), rule)
    assert waiting.pk in {r.case.pk for r in live["risk"]}
    for risk in live["risk"]:
        set_worst_callback(risk.case.pk)
        after = exact_score(ScoreRow(**scores("2026-10", org["street"])["pooled"]), rule)
        assert float(base - after) == risk.loss
        Case.objects.filter(pk=risk.case.pk).update(
            callback_valid=None,
            callback_contacted=None,
            callback_solved="",
            callback_satisfaction="",
        )


counts = st.integers(min_value=0, max_value=50)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(valid_full=counts, response_only=counts, data=st.data())
def test_rates_are_fractions(valid_full, response_only, data, db):
    valid = valid_full + response_only
    row = ScoreRow(unit={"id": 1, "name": "x"}, valid=valid, valid_full=valid_full)
    row.contacted = data.draw(st.integers(0, valid))
    row.solved = data.draw(st.integers(0, valid_full))
    row.partly_solved = data.draw(st.integers(0, valid_full - row.solved))
    row.satisfied = data.draw(st.integers(0, valid_full))
    row.basically_satisfied = data.draw(st.integers(0, valid_full - row.satisfied))
    rate_and_score(row, rules.rule_on(dt.date(2026, 10, 1)))
    for rate in (row.response_rate, row.resolution_rate, row.satisfaction_rate):
        assert rate is None or 0 <= rate <= 1
    assert row.score is None or 0 <= row.score <= 100


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(valid=st.integers(2, 40), data=st.data())
def test_exempting_a_case_no_better_than_average_never_lowers_the_score(valid, data, db):
    """Taking out a case whose result is at or below the unit's rate in every part."""
    rule = rules.rule_on(dt.date(2026, 10, 1))
    row = ScoreRow(unit={"id": 1, "name": "x"}, valid=valid, valid_full=valid)
    row.contacted = data.draw(st.integers(0, valid))
    row.solved = data.draw(st.integers(0, valid))
    row.satisfied = data.draw(st.integers(0, valid))
    before = exact_score(row, rule)
    # the exempted case is the worst kind: not contacted, unsolved, unsatisfied
    after_row = ScoreRow(
        unit=row.unit,
        valid=valid - 1,
        valid_full=valid - 1,
        contacted=min(row.contacted, valid - 1),
        solved=min(row.solved, valid - 1),
        satisfied=min(row.satisfied, valid - 1),
    )
    if row.contacted == valid or row.solved == valid or row.satisfied == valid:
        return  # every case was good in that part: no bad case to exempt there
    assert exact_score(after_row, rule) >= before - Decimal("1e-9")


def test_command_and_api_give_the_same_numbers(client, org, people, closed_case, capsys):
    closed_case("hly", valid=True, contacted=True, solved="partly", satisfaction="basic")
    call_command("score", "--period", "2026-10", "--unit", str(org["street"].pk), "--json")
    from_command = json.loads(capsys.readouterr().out)
    token = ApiToken.issue(people["zuzhang"])
    from_api = client.get(
        f"/api/v1/scores?period=2026-10&unit={org['street'].pk}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    assert from_command == from_api
    hly = next(r for r in from_api["rows"] if r["unit"]["name"] == "华龙苑南里社区")
    assert (hly["partly_solved"], hly["basically_satisfied"], hly["score"]) == (1, 1, 46.0)
    refused = client.get(
        f"/api/v1/scores?period=2026-10&unit={org['other_street'].pk}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403
    bad = client.get("/api/v1/scores?period=2026-13", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 422


def test_assessment_page_and_export(client, org, people, closed_case):
    closed_case("hly", valid=True)
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?period=2026-10&unit={org['street'].pk}").content.decode()
    assert re.search(rf'data-score-unit="{org["hly"].pk}"><a [^>]*>100.0<', page)
    response = client.get(f"/assessment/export.xlsx?period=2026-10&unit={org['street'].pk}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and rows[0][-2:] == ("综合成绩", "排名")
    assert ("华龙苑南里社区", 100.0, 1) in [(r[0], r[-2], r[-1]) for r in rows[1:]]


def test_risk_list_on_the_page_for_the_current_period(client, org, people, make_case):
    case = make_case(received_at=at("2026-11-20 09:00"))
    workflow.sign(case, by=people["zuoxi"], at=at("2026-11-20 09:05"))
    client.force_login(people["zuzhang"])
    page = client.get("/assessment/").content.decode()
    assert "本期实时测算" in page
