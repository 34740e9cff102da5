"""Scores of a period for the units under a parent, counted in SQL.

受理量 and the three rates count the cases received in the period (by 来电时间,
received_at); 办结量 counts the cases whose 办结时间 (closed_at) falls in the period, whenever
they were received: a case received before the period and closed in it counts there, one
received in it and closed after it does not (a case reopened and not yet closed again has no
办结时间 and counts in no 办结量). Valid callbacks of assessed cases are the
denominators: 只评响应率 cases count in the response rate only, 三率全考核 cases in all
three; a case with no valid callback, a 不纳入考核 case and a case with a passed exemption
count in none. A rate with an empty denominator is None, and so is the score then.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.http import Http404

from jiesu.assessment import rules
from jiesu.assessment.models import Application, ApplicationState, ScoringRule
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.cases.models import Case, EvaluationType, Satisfaction, Solved
from jiesu.core.scoping import unscoped
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
        # what dataclasses.asdict gives, without its deep copy of every value
        return {**vars(self), "unit": dict(self.unit)}


# A unit's score counts every case of the unit, whoever reads it (the reader reaches the
# unit: allowed_unit); the cases behind a number are then listed as the reader sees them.
SCORED_WHY = "a unit's score counts all its cases; the reader reaches the unit (allowed_unit)"

# The case date each count is taken by: 办结量 by 办结时间, everything else by 来电时间.
COUNTED_BY = {name: "closed_at" if name == "closed" else "received_at" for name in COUNTS}
DATE_LABELS = {"received_at": "来电时间", "closed_at": "办结时间"}
BASIS = "受理量及三率按来电时间、办结量按办结时间统计"


def counted_by(name: str) -> str:
    """The case date that puts a case in the period for one of DRILLS."""
    return "closed_at" if name == "closed" else "received_at"


def exempted(within=None):
    """Cases taken out of assessment by a passed exemption or appeal. `within`: a condition
    that the applications of every case tested meet, so fewer are read (same result)."""
    applications = Application.objects.filter(case_id=OuterRef("pk"), state=ApplicationState.PASSED)
    return Exists(applications.filter(within) if within is not None else applications)


# The columns a case's counts depend on: scores() groups the period's cases by these.
GROUPED = (
    "evaluation_type",
    "callback_valid",
    "callback_contacted",
    "callback_solved",
    "callback_satisfaction",
    "exempted",
)


def _response_types(rule: ScoringRule) -> list[str]:
    """The evaluation types whose valid callbacks count in the response rate."""
    if rule.response_only_counts:
        return [EvaluationType.FULL, EvaluationType.RESPONSE_ONLY]
    return [EvaluationType.FULL]


def case_counts(rule: ScoringRule, evaluation, valid, contacted, solved, satisfaction, closed, out):
    """What one case with these values adds to each of COUNTS (0 or 1): `closed` says
    whether it counts in 办结量 (its 办结时间 in the period), the rest assume it was received
    in the period."""
    counted = evaluation != EvaluationType.NOT_ASSESSED and not out
    response_types = _response_types(rule)
    valid_ = counted and valid is True and evaluation in response_types
    full = counted and valid is True and evaluation == EvaluationType.FULL
    return (
        1,
        int(closed),
        int(valid_),
        int(full),
        int(valid_ and contacted is True),
        int(full and solved == Solved.SOLVED),
        int(full and solved == Solved.PARTLY),
        int(full and satisfaction == Satisfaction.SATISFIED),
        int(full and satisfaction == Satisfaction.BASIC),
    )


# What each number on the 考核 page can be opened into: the counts, and per rate the cases
# that did not get its full mark.
DRILLS = {
    "received": "受理量",
    "closed": "办结量",
    "valid": "有效回访",
    "valid_full": "三率全考核的有效回访",
    "contacted": "已联系",
    "solved": "解决",
    "partly_solved": "部分解决",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "lost_response": "响应率失分(未联系)",
    "lost_resolution": "解决率失分(未解决或部分解决)",
    "lost_satisfaction": "满意率失分(不满意或基本满意)",
}


def allowed_unit(reach, unit_id: int | None) -> Unit:
    """The unit asked for, if the user reaches it; else the first unit they are granted."""
    if not reach.grants:
        raise RoleRefused("您没有任何单位的权限。")
    if unit_id is None:
        return reach.home()
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404("没有找到该单位。")
    if not reach.reaches_unit(unit):
        raise RoleRefused("您无权查看该单位的考核成绩。")
    return unit


def drill_child(parent: Unit, child_id: int | None, count: str) -> Unit | None:
    """Check a drill-down's count and row: the child unit it names (None for the total)."""
    if count not in DRILLS:
        raise InvalidInput("没有这一项考核数字。", field="count")
    if child_id is None:
        return None
    child = parent.children.filter(pk=child_id).first()
    if child is None:
        raise InvalidInput("该单位不在本次考核的单位中。", field="child")
    return child


def count_condition(name: str, rule: ScoringRule) -> Q:
    """The cases one of DRILLS counts, as a condition on their values: the same rule as
    case_counts, so a drill-down lists exactly the cases behind the number. The period is
    not in it: see cases_behind (办结量 by 办结时间, the rest by 来电时间)."""
    response_types = _response_types(rule)
    counted = ~Q(evaluation_type=EvaluationType.NOT_ASSESSED) & ~Q(exempted())
    valid = counted & Q(callback_valid=True, evaluation_type__in=response_types)
    full = counted & Q(callback_valid=True, evaluation_type=EvaluationType.FULL)
    conditions = {
        "received": Q(),
        "closed": Q(closed_at__isnull=False),
        "valid": valid,
        "valid_full": full,
        "contacted": valid & Q(callback_contacted=True),
        "solved": full & Q(callback_solved=Solved.SOLVED),
        "partly_solved": full & Q(callback_solved=Solved.PARTLY),
        "satisfied": full & Q(callback_satisfaction=Satisfaction.SATISFIED),
        "basically_satisfied": full & Q(callback_satisfaction=Satisfaction.BASIC),
        "lost_response": valid & ~Q(callback_contacted=True),
        "lost_resolution": full & ~Q(callback_solved=Solved.SOLVED),
        "lost_satisfaction": full & ~Q(callback_satisfaction=Satisfaction.SATISFIED),
    }
    return conditions[name]


def drill_counts(row: dict) -> dict:
    """Every DRILLS count of a score row (the losses follow from the counts)."""
    return {
        **{name: row[name] for name in COUNTS},
        "lost_response": row["valid"] - row["contacted"],
        "lost_resolution": row["valid_full"] - row["solved"],
        "lost_satisfaction": row["valid_full"] - row["satisfied"],
    }


def cases_behind(period: str, parent: Unit, child: Unit | None, name: str) -> Q:
    """The condition for the cases behind one number of scores(period, parent): the row of
    `child` (or the parent's pooled row when None), the count `name` of DRILLS."""
    rule = rules.rule_for(period)
    where = Q(**period_scope(period, parent, by=counted_by(name)))
    if child is not None:
        if parent.kind == UnitKind.DISTRICT:
            where &= Q(street_id=child.pk)
        else:
            where &= Q(lead_unit__path__startswith=child.path)
    return where & count_condition(name, rule)


def period_scope(period: str, parent: Unit, prefix: str = "", *, by: str = "received_at") -> dict:
    """The filter for the cases of `parent` whose date `by` falls in the period: by default
    those received in it, which scores(period, parent) counts in all but 办结量 (by="closed_at");
    reached through `prefix` (such as "case__") from another model."""
    start, end = rules.period_bounds(period)
    where = {f"{by}__gte": start, f"{by}__lt": end, **case_scope(parent)}
    return {prefix + name: value for name, value in where.items()}


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


def child_column(parent: Unit, children, units=None) -> tuple[str, dict]:
    """The case column that says under which child of `parent` a case falls, and a map from
    its values to the child's id: a street for a district, else the child whose subtree
    holds the case's lead unit. `units`: the (id, path) of the parent's subtree, if read."""
    if parent.kind == UnitKind.DISTRICT:
        return "street_id", {c.pk: c.pk for c in children}
    paths = [(c.path, c.pk) for c in children]
    if units is None:
        units = Unit.objects.filter(path__startswith=parent.path).values_list("pk", "path")
    return "lead_unit_id", {
        pk: next((child for prefix, child in paths if path.startswith(prefix)), None)
        for pk, path in units
    }


def _children(parent: Unit) -> tuple[list[Unit], str, dict]:
    """The children of `parent` and child_column's column and map, read in one query."""
    if parent.kind == UnitKind.DISTRICT:
        children = list(parent.children.all())
        return children, *child_column(parent, children)
    subtree = list(Unit.objects.filter(path__startswith=parent.path))
    children = [u for u in subtree if u.parent_id == parent.pk]
    return children, *child_column(parent, children, [(u.pk, u.path) for u in subtree])


def scores(period: str, parent: Unit, *, cases=None) -> dict:
    """Rows for each child of `parent`, ranked, plus the parent's pooled and mean rows.

    Three grouped queries, each read from one index on PostgreSQL (Case.Meta.indexes): the
    cases received in the period counted by child and by the values their counts depend on
    (300–1,600 groups at district scale), with their lowest and highest ids; the same for
    those of them with a passed exemption (read among the applications of those ids), which
    move from counted to left out; and the cases closed in the period by child, for 办结量.
    The groups are summed here, each combination of values worked out once (case_counts)."""
    start, end = rules.period_bounds(period)
    rule = rules.rule_for(period)
    children, column, child_of = _children(parent)
    source = cases if cases is not None else unscoped(Case.objects, why=SCORED_WHY)
    received = source.filter(**period_scope(period, parent))
    values = GROUPED[:-1]  # all but `exempted`, which the second query stands for
    # (child, exempted, *values) → cases
    tally = Counter()
    lowest, highest = None, None
    groups = received.values_list(column, *values).annotate(
        n=Count("pk"), lowest=Min("pk"), highest=Max("pk")
    )
    for key, *kept, n, low, high in groups.order_by():
        tally[child_of.get(key), False, *kept] += n
        lowest = low if lowest is None else min(lowest, low)
        highest = high if highest is None else max(highest, high)
    if lowest is not None:
        # the applications of the period's cases lie within their ids: PostgreSQL reads
        # those from the (state, case) index, not every passed application (2-3 ms a query)
        within = Q(case_id__gte=lowest, case_id__lte=highest)
        taken_out = received.filter(exempted(within)).values_list(column, *values)
        for key, *out, n in taken_out.annotate(n=Count("pk")).order_by():
            tally[child_of.get(key), False, *out] -= n
            tally[child_of.get(key), True, *out] += n
    closings = (
        source.filter(**period_scope(period, parent, by="closed_at"))
        .values_list(column)
        .annotate(n=Count("*"))
        .order_by()
    )
    closed = COUNTS.index("closed")
    totals = [0] * len(COUNTS)
    per_child = {c.pk: [0] * len(COUNTS) for c in children}

    def add(child, flags, n):
        row = per_child.get(child)
        for i, flag in enumerate(flags):
            if flag:
                totals[i] += n
                if row is not None:
                    row[i] += n

    flags_of = {}
    for (child, out, *kept), n in tally.items():
        if (out, *kept) not in flags_of:
            flags_of[out, *kept] = case_counts(rule, *kept, False, out)
        add(child, flags_of[out, *kept], n)
    one_closed = tuple(int(i == closed) for i in range(len(COUNTS)))
    for key, n in closings:
        add(child_of.get(key), one_closed, n)
    ranked = [
        rate_and_score(
            ScoreRow(
                unit={"id": c.pk, "name": c.name}, **dict(zip(COUNTS, per_child[c.pk], strict=True))
            ),
            rule,
        )
        for c in children
    ]
    _rank(ranked)
    # the parent's own row counts every case in it, dispatched or not
    pooled = rate_and_score(
        ScoreRow(
            unit={"id": parent.pk, "name": parent.name}, **dict(zip(COUNTS, totals, strict=True))
        ),
        rule,
    )
    return {
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "counted_by": dict(COUNTED_BY),
        "rows": [
            r.as_dict() for r in sorted(ranked, key=lambda r: (r.rank or 10**9, r.unit["id"]))
        ],
        "pooled": pooled.as_dict(),
        "mean": _mean(ranked),
    }


def case_scope(parent: Unit) -> dict:
    if parent.kind == UnitKind.DISTRICT:
        return {"district": parent}
    if parent.kind == UnitKind.STREET:
        return {"street": parent}
    return {"lead_unit__path__startswith": parent.path}


def _rank(rows: list[ScoreRow]) -> None:
    """Rank by score, ties broken by case volume (受理量); units equal in both share a rank
    and the next rank skips as many places (1, 2, 2, 4). Units without a score are not
    ranked."""
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, -r.received))
    for place, row in enumerate(scored, start=1):
        before = scored[place - 2] if place > 1 else None
        same = before is not None and (before.score, before.received) == (row.score, row.received)
        row.rank = before.rank if same else place


def _mean(rows: list[ScoreRow]) -> dict:
    """The mean of the units' rates and scores (units without one are left out)."""
    out = {}
    for name in ("response_rate", "resolution_rate", "satisfaction_rate", "score"):
        values = [Decimal(repr(getattr(r, name))) for r in rows if getattr(r, name) is not None]
        # half up, as the scores themselves are rounded: a mean of 89.35 is 89.4
        places = Decimal("0.1") if name == "score" else Decimal("0.0001")
        mean = (
            (sum(values) / len(values)).quantize(places, rounding=ROUND_HALF_UP) if values else None
        )
        out[name] = float(mean) if mean is not None else None
    return out
