"""The live estimate: this period's score as if it ended now, and the cases that put it
most at risk, by the exact points each would cost if it ended unsolved and unsatisfied."""

import copy
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone

from jiesu.assessment import rules
from jiesu.assessment.queries import SCORED_WHY, ScoreRow, exact_score, exempted, scores
from jiesu.cases.models import OPEN_STATES, Case, EvaluationType
from jiesu.core.scoping import unscoped

RISK_LIMIT = 50
# The values the loss of a case depends on.
LOSS_FIELDS = (
    "evaluation_type",
    "callback_valid",
    "callback_contacted",
    "callback_solved",
    "callback_satisfaction",
)
OPEN = list(OPEN_STATES)


@dataclass
class Risk:
    case: Case
    loss: float  # exact; shown, and ranked, to two decimals


def worst(row: ScoreRow, case) -> ScoreRow:
    """The counts if `case` ended with a valid callback: not contacted, unsolved, unsatisfied
    (its present callback, if any, replaced)."""
    bad = copy.copy(row)
    if case.callback_valid and case.evaluation_type != EvaluationType.NOT_ASSESSED:
        _count(bad, case, sign=-1)
    bad.valid += 1
    if case.evaluation_type == EvaluationType.FULL:
        bad.valid_full += 1
    return bad


def _count(row: ScoreRow, case, *, sign: int) -> None:
    row.valid += sign
    row.contacted += sign if case.callback_contacted else 0
    if case.evaluation_type == EvaluationType.FULL:
        row.valid_full += sign
        row.solved += sign if case.callback_solved == "solved" else 0
        row.partly_solved += sign if case.callback_solved == "partly" else 0
        row.satisfied += sign if case.callback_satisfaction == "satisfied" else 0
        row.basically_satisfied += sign if case.callback_satisfaction == "basic" else 0


def at_risk(street, period: str):
    """Assessed cases of the period still waiting for their result: open, or closed and not
    yet called back."""
    start, end = rules.period_bounds(period)
    waiting = Q(state__in=OPEN) | Q(awaiting_callback_at__isnull=False)
    return (
        unscoped(Case.objects, why=SCORED_WHY)
        .filter(waiting, street=street, received_at__gte=start, received_at__lt=end)
        .exclude(evaluation_type=EvaluationType.NOT_ASSESSED)
        .annotate(exempted=exempted())
        .filter(exempted=False)
    )


def estimate(street, now=None, *, result=None) -> dict:
    """The period's score so far, and its cases ranked by the points each one could cost.
    `result` is scores() of the current period for the street, if the caller has it."""
    now = now or timezone.now()
    period = rules.period_of(now)
    if result is None or result["period"] != period:
        result = scores(period, street)
    rule = rules.rule_for(period)
    pooled = ScoreRow(**result["pooled"])
    base = exact_score(pooled, rule)
    # a case's loss depends only on these values: read them, not the cases, and work each
    # combination out once; only the cases shown are loaded whole
    # Ranked by the loss as shown (two decimals), then the case nearest its due time (the
    # most overdue first, cases without one last), then the earliest received.
    losses, ranked = {}, []
    for pk, received_at, due_at, *values in at_risk(street, period).values_list(
        "pk", "received_at", "due_at", *LOSS_FIELDS
    ):
        key = tuple(values)
        if key not in losses:
            case = SimpleNamespace(**dict(zip(LOSS_FIELDS, key, strict=True)))
            bad = exact_score(worst(pooled, case), rule)
            losses[key] = None if base is None or bad is None else float(base - bad)
        if losses[key] is not None:
            # to two decimals as the page shows it (from the float's shortest decimal)
            shown_loss = Decimal(repr(losses[key])).quantize(Decimal("0.01"), ROUND_HALF_UP)
            due = (due_at is None, due_at or received_at)
            ranked.append((-shown_loss, due, received_at, pk, losses[key]))
    ranked.sort()
    top = ranked[:RISK_LIMIT]
    shown = (
        unscoped(Case.objects, why=SCORED_WHY)
        .select_related("lead_unit", "category")
        .in_bulk([r[3] for r in top])
    )
    risks = [Risk(shown[pk], loss) for *_, pk, loss in top]
    return {
        "period": period,
        "as_of": now,
        "scores": result,
        "risk": risks,
        "at_risk": len(ranked),
    }
