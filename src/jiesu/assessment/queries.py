"""Scores of a period for the units under a parent, counted in SQL.

A case counts in the period it was received in. Valid callbacks of assessed cases are the
denominators: 只评响应率 cases count in the response rate only, 三率全考核 cases in all
three; a case with no valid callback, a 不纳入考核 case and a case with a passed exemption
count in none. A rate with an empty denominator is None, and so is the score then.
"""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case as When_
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Value, When

from jiesu.assessment import rules
from jiesu.assessment.models import Application, ApplicationState, ScoringRule
from jiesu.cases.models import Case, EvaluationType, Satisfaction, Solved
from jiesu.org.models import Unit, UnitKind

COUNTS = (
    "received",
    "closed",
    "valid",
    "valid_full",
    "contacted",
    "solved",
    "partly_solved",
    "satisfied",
    "basically_satisfied",
)


@dataclass
class ScoreRow:
    unit: dict
    received: int = 0
    closed: int = 0
    valid: int = 0
    valid_full: int = 0
    contacted: int = 0
    solved: int = 0
    partly_solved: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    score: float | None = None
    rank: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def exempted():
    """Cases taken out of assessment by a passed exemption or appeal."""
    return Exists(Application.objects.filter(case_id=OuterRef("pk"), state=ApplicationState.PASSED))


def _conditions(rule: ScoringRule) -> dict[str, Q]:
    counted = ~Q(evaluation_type=EvaluationType.NOT_ASSESSED) & Q(exempted=False)
    response_types = [EvaluationType.FULL]
    if rule.response_only_counts:
        response_types.append(EvaluationType.RESPONSE_ONLY)
    valid = counted & Q(callback_valid=True, evaluation_type__in=response_types)
    full = counted & Q(callback_valid=True, evaluation_type=EvaluationType.FULL)
    return {
        "received": Q(),
        "closed": Q(closed_at__isnull=False),
        "valid": valid,
        "valid_full": full,
        "contacted": valid & Q(callback_contacted=True),
        "solved": full & Q(callback_solved=Solved.SOLVED),
        "partly_solved": full & Q(callback_solved=Solved.PARTLY),
        "satisfied": full & Q(callback_satisfaction=Satisfaction.SATISFIED),
        "basically_satisfied": full & Q(callback_satisfaction=Satisfaction.BASIC),
    }


def _ratio(numerator: Decimal, denominator: int) -> Decimal | None:
    return numerator / denominator if denominator else None


def _rates(row: ScoreRow, rule: ScoringRule):
    response = _ratio(Decimal(row.contacted), row.valid)
    resolution = _ratio(row.solved + rule.partly_solved_coef * row.partly_solved, row.valid_full)
    satisfaction = _ratio(
        row.satisfied + rule.basic_satisfied_coef * row.basically_satisfied, row.valid_full
    )
    return response, resolution, satisfaction


def exact_score(row: ScoreRow, rule: ScoringRule) -> Decimal | None:
    """综合成绩 before rounding; None while a rate has no valid callbacks."""
    response, resolution, satisfaction = _rates(row, rule)
    if None in (response, resolution, satisfaction):
        return None
    return (
        rule.weight_response * response
        + rule.weight_resolution * resolution
        + rule.weight_satisfaction * satisfaction
    ) * 100


def rate_and_score(row: ScoreRow, rule: ScoringRule) -> ScoreRow:
    """Fill the rates and the composite score (one decimal) of a row from its counts."""
    rates = _rates(row, rule)
    row.response_rate, row.resolution_rate, row.satisfaction_rate = (
        float(r) if r is not None else None for r in rates
    )
    total = exact_score(row, rule)
    row.score = (
        float(total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) if total is not None else None
    )
    return row


def _child_column(parent: Unit):
    """The case column that says under which child of `parent` a case falls."""
    if parent.kind == UnitKind.DISTRICT:
        return "street_id", None
    children = list(parent.children.all())
    # a case belongs to the child whose subtree holds its lead unit
    expression = When_(
        *(When(lead_unit__path__startswith=c.path, then=Value(c.pk)) for c in children),
        default=Value(None),
        output_field=IntegerField(),
    )
    return "child", expression


def scores(period: str, parent: Unit, *, cases=None) -> dict:
    """Rows for each child of `parent`, ranked, plus the parent's pooled and mean rows."""
    start, end = rules.period_bounds(period)
    rule = rules.rule_on(end.date())
    qs = (
        (cases if cases is not None else Case.objects)
        .filter(received_at__gte=start, received_at__lt=end, **_scope(parent))
        .annotate(exempted=exempted())
    )
    column, expression = _child_column(parent)
    if expression is not None:
        qs = qs.annotate(child=expression)
    conditions = _conditions(rule)
    counted = qs.values(column).annotate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    children = {u.pk: u for u in parent.children.all()}
    rows = {pk: ScoreRow(unit={"id": pk, "name": u.name}) for pk, u in children.items()}
    for group in counted:
        key = group[column]
        if key in rows:
            for name in COUNTS:
                setattr(rows[key], name, group[name])
    ranked = [rate_and_score(row, rule) for row in rows.values()]
    _rank(ranked)
    # the parent's own row counts every case in it, dispatched or not
    totals = qs.aggregate(**{name: Count("pk", filter=c) for name, c in conditions.items()})
    pooled = rate_and_score(ScoreRow(unit={"id": parent.pk, "name": parent.name}, **totals), rule)
    return {
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "rows": [
            r.as_dict() for r in sorted(ranked, key=lambda r: (r.rank or 10**9, r.unit["id"]))
        ],
        "pooled": pooled.as_dict(),
        "mean": _mean(ranked),
    }


def _scope(parent: Unit) -> dict:
    if parent.kind == UnitKind.DISTRICT:
        return {"district": parent}
    if parent.kind == UnitKind.STREET:
        return {"street": parent}
    return {"lead_unit__path__startswith": parent.path}


def _rank(rows: list[ScoreRow]) -> None:
    """Rank by score, ties broken by case volume; units without a score are not ranked."""
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, -r.received))
    for place, row in enumerate(scored, start=1):
        row.rank = place


def _mean(rows: list[ScoreRow]) -> dict:
    """The mean of the units' rates and scores (units without one are left out)."""
    out = {}
    for name in ("response_rate", "resolution_rate", "satisfaction_rate", "score"):
        values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
        out[name] = (
            round(sum(values) / len(values), 4 if name != "score" else 1) if values else None
        )
    return out
