"""What exemptions and appeals do to a period's scores.

scores() already leaves out the cases with a passed application. Here the few cases that
have an application are counted once more, in Python, and put back or taken out of the
rows: the score before any exemption, now, and if the applications still under way (or one
application) passed too. Only those cases are read: at district scale this costs about half
of one scores() call, against two more calls for recomputing both tables.
"""

from jiesu.assessment import rules
from jiesu.assessment.models import Application, ApplicationState
from jiesu.assessment.queries import (
    COUNTS,
    GROUPED,
    SCORED_WHY,
    ScoreRow,
    case_counts,
    child_column,
    exempted,
    period_scope,
    rate_and_score,
    scores,
)
from jiesu.cases.models import Case
from jiesu.core.scoping import unscoped
from jiesu.org.models import Unit

# Applications not yet decided: they may still take their case out.
UNDER_WAY = [
    ApplicationState.DRAFT,
    ApplicationState.FIRST_REVIEW,
    ApplicationState.SECOND_REVIEW,
    ApplicationState.READY,
    ApplicationState.SUBMITTED,
    ApplicationState.RETURNED,
]


def _difference(rule, values) -> list[int]:
    """What taking one case out of assessment removes from each of COUNTS."""
    kept = case_counts(rule, *values, False)
    out = case_counts(rule, *values, True)
    return [a - b for a, b in zip(kept, out, strict=True)]


def _period_cases(period: str, parent: Unit, case_ids):
    return unscoped(Case.objects, why=SCORED_WHY).filter(
        pk__in=case_ids, **period_scope(period, parent)
    )


def shifted(result: dict, parent: Unit, *, put_back=(), take_out=()) -> dict:
    """The scores of `result` (from scores(period, parent)) with the exempted cases among
    `put_back` counted again and the counted cases among `take_out` left out (other ids, and
    cases outside the period or the parent, change nothing): {unit id: ScoreRow} for the
    children, and the parent's pooled row under the key None."""
    period = result["period"]
    rule = rules.rule_for(period)
    children = list(parent.children.all())
    column, child_of = child_column(parent, children)
    rows = {r["unit"]["id"]: r for r in result["rows"]}
    counts = {pk: [r[name] for name in COUNTS] for pk, r in rows.items()}
    counts[None] = [result["pooled"][name] for name in COUNTS]
    moves = [(put_back, True, 1), (take_out, False, -1)]
    for ids, now_exempted, sign in moves:
        if not ids:
            continue
        cases = _period_cases(period, parent, ids).annotate(out=exempted()).filter(out=now_exempted)
        # GROUPED ends with exempted, an annotation in scores(); 办结量 counts every case
        # closed in the period, exempted or not, so it never moves here
        fields = GROUPED[:-1]
        for case in cases.values(column, *fields):
            values = [*(case[name] for name in fields), False]
            diff = _difference(rule, values)
            # the parent's row always; a child's row when the case falls under a child (a
            # case closed at the desk, with no lead unit, is in the parent's row only)
            child = child_of.get(case[column])
            for key in (None,) if child is None else (None, child):
                if key in counts:
                    counts[key] = [c + sign * d for c, d in zip(counts[key], diff, strict=True)]
    units = {**{pk: r["unit"] for pk, r in rows.items()}, None: result["pooled"]["unit"]}
    return {
        key: rate_and_score(ScoreRow(unit=units[key], **dict(zip(COUNTS, c, strict=True))), rule)
        for key, c in counts.items()
    }


def period_effect(result: dict, parent: Unit) -> dict | None:
    """Before / now / if-the-rest-passed scores for the units touched by applications of the
    period; None when the period has none."""
    period = result["period"]
    apps = (
        unscoped(Application.objects, why=SCORED_WHY)
        .filter(
            state__in=[ApplicationState.PASSED, *UNDER_WAY],
            **period_scope(period, parent, "case__"),
        )
        .order_by()
        .values_list("case_id", "state")
    )
    passed, under_way = set(), set()
    for case_id, state in apps:
        (passed if state == ApplicationState.PASSED else under_way).add(case_id)
    under_way -= passed
    if not passed and not under_way:
        return None
    before = shifted(result, parent, put_back=passed)
    after = shifted(result, parent, take_out=under_way)
    now = {r["unit"]["id"]: r for r in result["rows"]}
    now[None] = result["pooled"]
    rows = [
        {
            "unit": now[key]["unit"],
            "total": key is None,
            "before": before[key].score,
            "now": now[key]["score"],
            "if_passed": after[key].score,
        }
        for key in now
        if key is None or (before[key].score, after[key].score) != (now[key]["score"],) * 2
    ]
    rows.sort(key=lambda r: (r["total"], r["unit"]["name"]))
    return {"passed": len(passed), "under_way": len(under_way), "rows": rows}


def case_effect(case) -> dict | None:
    """The street's score, and that of the unit the case counts under, with the case counted
    and without it (as a passed exemption or appeal leaves it); None outside any street."""
    street = case.street
    if street is None:
        return None
    result = scores(rules.period_of(case.received_at), street)
    exempted = Application.objects.filter(case=case, state=ApplicationState.PASSED).exists()
    move = {"put_back": {case.pk}} if exempted else {"take_out": {case.pk}}
    moved = shifted(result, street, **move)
    now = {r["unit"]["id"]: r["score"] for r in result["rows"]}
    now[None] = result["pooled"]["score"]
    _, child_of = child_column(street, list(street.children.all()))
    rows = []
    for key in (None, child_of.get(case.lead_unit_id)):
        if key not in moved or any(r["key"] == key for r in rows):
            continue
        other = moved[key].score
        rows.append(
            {
                "key": key,
                "unit": moved[key].unit,
                "counted": other if exempted else now[key],
                "left_out": now[key] if exempted else other,
            }
        )
    return {"period": result["period"], "exempted": exempted, "rows": rows}
