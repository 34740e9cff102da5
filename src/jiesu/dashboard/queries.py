"""The dashboard's figures (数据看板), counted in SQL on the cases the reader reaches.

Each figure carries the case list's filter (`cases.filters.CaseFilter` parameters) that lists
exactly the cases behind it, so the number on the dashboard is the list's count. Days are
Beijing days: 受理 by 来电时间 (received_at), 办结 by 办结时间 (closed_at).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count

from jiesu.assessment import rules
from jiesu.assessment.queries import allowed_unit, scores
from jiesu.cases import deadlines
from jiesu.cases.models import (
    OPEN_STATES,
    RUNNING_STATES,
    Category,
    Channel,
    Lamp,
    Platform,
    State,
)
from jiesu.core.localtime import LOCAL
from jiesu.org.models import Role, Unit, UnitKind

# Who lands on the dashboard; the desk (坐席员) and the handlers land on their queues.
LANDING_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
TREND_DAYS = (7, 30)
TOP = 10


@dataclass
class Figure:
    """A number and the case list's filter behind it."""

    label: str
    count: int
    params: dict = field(default_factory=dict)
    key: str = ""


def lands_here(reach) -> bool:
    return reach.holds(*LANDING_ROLES)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def _days(first: dt.date, last: dt.date, by: str) -> dict:
    """The list filter for cases whose date `by` falls in [first, last] (Beijing days)."""
    prefix = "closed" if by == "closed_at" else "received"
    return {f"{prefix}_from": first.isoformat(), f"{prefix}_to": last.isoformat()}


def today_intake(cases, today: dt.date) -> dict:
    """Cases received today, in all, by platform and by channel: one grouped query."""
    rows = (
        cases.filter(
            received_at__gte=midnight(today), received_at__lt=midnight(today + dt.timedelta(1))
        )
        .values_list("platform", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    platforms, channels = Counter(), Counter()
    for platform, channel, n in rows:
        platforms[platform] += n
        channels[channel] += n
    day = _days(today, today, "received_at")
    return {
        "total": Figure("今日受理", sum(platforms.values()), day, "today"),
        "platforms": [
            Figure(label, platforms[value], {**day, "platform": value}, value)
            for value, label in Platform.choices
        ],
        "channels": [
            Figure(label, channels[value], {**day, "channel": value}, value)
            for value, label in Channel.choices
        ],
    }


def reached_in(reach, states) -> models.QuerySet:
    """The reader's cases in these states, found from the (street or district, state, due
    time) index. Without the district's one, SQLite walked a district's million cases by its
    (district, date) index (8 s); testing each open case against the reach by key instead
    made PostgreSQL join every case of the street or district (0.2 s at 2,000,000)."""
    return reach.cases().filter(state__in=list(states))


def lamp_counts(reach, now: dt.datetime) -> dict:
    """Running cases by lamp at `now` (deadlines.lamp_filter), as the case list counts them."""
    lamps = (Lamp.RED, Lamp.YELLOW, Lamp.GREEN)
    return reached_in(reach, RUNNING_STATES).aggregate(
        **{lamp: Count("pk", filter=deadlines.lamp_filter(lamp, now)) for lamp in lamps}
    )


def open_cases(reach, now: dt.datetime) -> dict:
    """Open cases by state and running cases by lamp."""
    # Count("*"): no column outside the index, so PostgreSQL reads the index alone
    by_state = dict(
        reached_in(reach, OPEN_STATES).values_list("state").annotate(n=Count("*")).order_by()
    )
    lamps = lamp_counts(reach, now)
    return {
        "states": [
            Figure(State(s).label, by_state.get(s, 0), {"state": s}, s) for s in OPEN_STATES
        ],
        "lamps": [Figure(Lamp(lamp).label, n, {"lamp": lamp}, lamp) for lamp, n in lamps.items()],
    }


def daily(cases, by: str, first: dt.date, last: dt.date) -> list[Figure]:
    """How many cases fall on each Beijing day from `first` to `last` by their date `by`: a
    count per day, each a range of the (street or district, date) index. One grouped query
    would have to work out every row's Beijing day, or test all the days on every row,
    which took twice as long at a million cases (bench/dashboard.py)."""
    figures = []
    for i in range((last - first).days + 1):
        day = first + dt.timedelta(days=i)
        between = {f"{by}__gte": midnight(day), f"{by}__lt": midnight(day + dt.timedelta(1))}
        figures.append(
            Figure(f"{day:%m-%d}", cases.filter(**between).count(), _days(day, day, by), str(day))
        )
    return figures


def trend(cases, today: dt.date) -> dict:
    """Received (by 来电时间) and closed (by 办结时间) per day over the last 30 days, today
    included; each span's totals."""
    longest = max(TREND_DAYS)
    first = today - dt.timedelta(days=longest - 1)
    series = {by: daily(cases, by, first, today) for by in ("received_at", "closed_at")}
    spans = {}
    for days in TREND_DAYS:
        start = today - dt.timedelta(days=days - 1)
        spans[days] = {
            "received": series["received_at"][-days:],
            "closed": series["closed_at"][-days:],
            "received_total": Figure(
                f"近{days}日受理",
                sum(f.count for f in series["received_at"][-days:]),
                _days(start, today, "received_at"),
            ),
            "closed_total": Figure(
                f"近{days}日办结",
                sum(f.count for f in series["closed_at"][-days:]),
                _days(start, today, "closed_at"),
            ),
        }
    return spans


def period_tops(cases, now: dt.datetime) -> dict:
    """The current assessment period's most frequent categories and communities, by the
    cases received in it. A category counts its sub-categories' cases too, as its filter
    lists them."""
    period = rules.period_of(now)
    start, end = rules.period_bounds(period)
    received = cases.filter(received_at__gte=start, received_at__lt=end)
    span = _days(start.date(), end.date() - dt.timedelta(days=1), "received_at")
    # one pass over the period's cases for both lists
    per_category, per_community = Counter(), Counter()
    for category, community, n in (
        received.values_list("category_id", "community_id").annotate(n=Count("pk")).order_by()
    ):
        if category is not None:
            per_category[category] += n
        if community is not None:
            per_community[community] += n
    paths = dict(Category.objects.filter(pk__in=list(per_category)).values_list("pk", "path"))
    # each category filed under, with the cases filed under it and under its sub-categories
    subtree = {
        pk: sum(n for other, n in per_category.items() if paths[other].startswith(path))
        for pk, path in paths.items()
    }
    top_categories = sorted(subtree.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    top_communities = sorted(per_community.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    names = dict(
        Category.objects.filter(pk__in=[pk for pk, _ in top_categories]).values_list("pk", "name")
    )
    community_names = dict(
        Unit.objects.filter(pk__in=[pk for pk, _ in top_communities]).values_list("pk", "name")
    )
    return {
        "period": period,
        "start": start,
        "end": end,
        "categories": [
            Figure(names[pk], n, {**span, "category": pk}, str(pk)) for pk, n in top_categories
        ],
        "communities": [
            Figure(community_names[pk], n, {**span, "community": pk}, str(pk))
            for pk, n in top_communities
        ],
    }


def period_scores(reach, now: dt.datetime) -> dict | None:
    """The three rates and the score of the current period for the reader's first unit (as
    the 考核 page opens it), and for a street its rank among the district's streets as if
    the period ended now: the street's row of the district's scores, which counts the same
    cases as the street's own pooled row (assessment.queries.scores)."""
    if not reach.grants:
        return None
    unit = allowed_unit(reach, None)
    period = rules.period_of(now)
    if unit.kind == UnitKind.STREET and unit.parent_id:
        # only the street's own row and its place leave this function
        result = scores(period, unit.parent)
        row = next(r for r in result["rows"] if r["unit"]["id"] == unit.pk)
        ranked = sum(1 for r in result["rows"] if r["rank"] is not None)
    else:
        row, ranked = scores(period, unit)["pooled"], None
        row = {**row, "rank": None}
    return {
        "unit": unit,
        "period": period,
        "row": row,
        "ranked": ranked,
    }


def late_units(reach, now: dt.datetime) -> list[dict]:
    """Lead units with running cases past their due time (超期, red) or near it (临期,
    yellow), the most overdue first."""
    running = reached_in(reach, RUNNING_STATES).filter(lead_unit__isnull=False)
    rows = (
        running.filter(
            deadlines.lamp_filter(Lamp.RED, now) | deadlines.lamp_filter(Lamp.YELLOW, now)
        )
        .values_list("lead_unit_id")
        .annotate(
            red=Count("pk", filter=deadlines.lamp_filter(Lamp.RED, now)),
            yellow=Count("pk", filter=deadlines.lamp_filter(Lamp.YELLOW, now)),
        )
        .order_by("-red", "-yellow", "lead_unit_id")[:TOP]
    )
    rows = list(rows)
    names = dict(Unit.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name"))
    return [
        {
            "unit": names[pk],
            "red": Figure("超期", red, {"lead_unit": pk, "lamp": Lamp.RED.value}, "red"),
            "yellow": Figure(
                "临期", yellow, {"lead_unit": pk, "lamp": Lamp.YELLOW.value}, "yellow"
            ),
        }
        for pk, red, yellow in rows
    ]


def dashboard(reach, now: dt.datetime) -> dict:
    """Every figure of the dashboard for one reader at one moment."""
    cases = reach.cases()
    today = now.astimezone(LOCAL).date()
    return {
        "now": now,
        "today": today_intake(cases, today),
        "open": open_cases(reach, now),
        "trend": trend(cases, today),
        "period": period_tops(cases, now),
        "scores": period_scores(reach, now),
        "units": late_units(reach, now),
    }
