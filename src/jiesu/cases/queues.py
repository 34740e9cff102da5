"""Work queues: which cases wait for whom, counted in one query per page load."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from jiesu.cases import deadlines
from jiesu.cases.models import RUNNING_STATES, Case, Lamp, State
from jiesu.core.scoping import reach_of
from jiesu.org.models import HANDLER_ROLES, Unit
from jiesu.org.models import Role as R

OPEN = list(RUNNING_STATES)
DESK = {R.OPERATOR, R.LEADER, R.SUPERVISOR}


@dataclass(frozen=True)
class Queue:
    code: str
    label: str
    roles: frozenset


QUEUES = [
    Queue("received", "待签收", frozenset(DESK)),
    Queue("accepted", "待派单", frozenset(DESK)),
    Queue("due_soon", "临期", frozenset(DESK)),
    Queue("overdue", "超期", frozenset(DESK)),
    Queue("review", "待审核", frozenset({R.REVIEWER, R.LEADER, R.SUPERVISOR})),
    Queue("callback", "待回访", frozenset({R.OPERATOR, R.LEADER, R.ANALYST})),
    Queue("shelved", "挂账", frozenset(DESK)),
    Queue("approvals", "待审批", frozenset({R.LEADER})),
    Queue("mine", "我的待办", frozenset(HANDLER_ROLES)),
]
BY_CODE = {q.code: q for q in QUEUES}


DUE_COLUMN = {"callback": "awaiting_callback_at", "mine": "unit_due_at"}


def urgency(now: dt.datetime) -> models.Case:
    """0 for a red lamp, 1 yellow, 2 green, 3 no clock: the lamp at `now`, from the same
    clock times as deadlines.lamp_filter (never the stored lamp, which lags behind)."""
    return models.Case(
        *(
            models.When(deadlines.lamp_filter(lamp, now), then=models.Value(rank))
            for rank, lamp in enumerate((Lamp.RED, Lamp.YELLOW, Lamp.GREEN))
        ),
        default=models.Value(3),
        output_field=models.IntegerField(),
    )


def ordering(code: str, now: dt.datetime) -> tuple:
    """The order of a queue's cases, urgent work first: red, yellow, green, then the
    nearest due time. 我的待办 goes by the unit's own due time with shelved cases last;
    待回访 by how long a case has waited (see `arranged` for its current period); 挂账,
    where no clock runs, by arrival."""
    if code == "callback":
        return ("awaiting_callback_at", "id")
    if code == "shelved":
        return ("received_at", "id")
    if code == "mine":
        shelved = models.Case(
            models.When(state=State.SHELVED, then=models.Value(1)),
            default=models.Value(0),
            output_field=models.IntegerField(),
        )
        return (
            shelved.asc(),
            urgency(now).asc(),
            F("unit_due_at").asc(nulls_last=True),
            "received_at",
            "id",
        )
    return (urgency(now).asc(), F("current_due_at").asc(nulls_last=True), "received_at", "id")


class Parts:
    """Querysets paged as one list, one after the other, each in its own order. Counting
    and slicing are all a Paginator (or the API) asks of a list; the last part is never
    counted on its own."""

    def __init__(self, whole, *parts):
        self.whole, self.parts = whole, parts
        self._sizes = {}

    def count(self) -> int:
        return self.whole.count()

    def __getitem__(self, window: slice) -> list:
        start, stop, found = window.start or 0, window.stop, []
        for i, part in enumerate(self.parts):
            if stop <= 0:
                break
            last = i == len(self.parts) - 1
            size = stop if last else self._sizes.setdefault(i, part.count())
            if start < size:
                found += part[start : min(stop, size)]
            start, stop = max(start - size, 0), max(stop - size, 0)
        return found


# When the assessment period `now` falls in began. Assessment defines the periods and
# registers this at start-up (AssessmentConfig.ready): cases imports nothing of it.
_period_start: Callable[[dt.datetime], dt.datetime] | None = None


def register_period_start(start: Callable[[dt.datetime], dt.datetime]) -> None:
    global _period_start
    _period_start = start


def period_start(now: dt.datetime) -> dt.datetime:
    if _period_start is None:
        raise RuntimeError("no assessment period registered (is jiesu.assessment installed?)")
    return _period_start(now)


def arranged(code: str, cases, now: dt.datetime, period_start_at: dt.datetime | None = None):
    """A queue's (filtered) cases in the queue's order. 待回访 lists the current assessment
    period's cases (received from `period_start_at`, by default the start of the period
    `now` falls in) first, then the earlier ones, each by how long it has waited: in parts
    that each follow the waiting-callback index, because sorting the whole queue by period
    reads every waiting case (at a million cases 100,000 of them, most of a second)."""
    cases = cases.order_by(*ordering(code, now))
    if code != "callback":
        return cases
    if period_start_at is None:
        period_start_at = period_start(now)
    # received in the period means closed in it too; closed before it means received before
    closed_since = Q(awaiting_callback_at__gte=period_start_at)
    return Parts(
        cases,
        cases.filter(closed_since, received_at__gte=period_start_at),
        cases.exclude(closed_since),
        cases.filter(closed_since, received_at__lt=period_start_at),
    )


def queues_for(reach) -> list[Queue]:
    """The queues of the user (a Reach, or a user): those of the roles they hold."""
    roles = reach_of(reach).roles
    return [q for q in QUEUES if q.roles & roles]


def _my_units_q(reach) -> Q:
    """Cases whose lead unit or a co-unit is one of the user's handling units."""
    paths = reach.paths(HANDLER_ROLES)
    if not paths:
        return Q(pk__in=[])
    units_q = Q()
    for path in paths:
        units_q |= Q(path__startswith=path)
    units = Unit.objects.filter(units_q).values("id")
    co_unit = Case.co_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=units)
    return Q(lead_unit_id__in=units) | Exists(co_unit)


def condition(code: str, reach, now: dt.datetime) -> Q:
    """The cases in a queue, as a filter on visible cases (`reach`: a Reach, or a user)."""
    if code in ("received", "accepted", "shelved"):
        return Q(state=code)
    if code == "review":
        return Q(state=State.REPLIED)
    if code == "due_soon":
        return Q(state__in=OPEN) & deadlines.lamp_filter(Lamp.YELLOW, now)
    if code == "overdue":
        return Q(state__in=OPEN) & deadlines.lamp_filter(Lamp.RED, now)
    if code == "callback":
        return Q(awaiting_callback_at__isnull=False)
    if code == "mine":
        return Q(state__in=[State.DISPATCHED, State.SHELVED]) & _my_units_q(reach_of(reach))
    if code == "approvals":
        return approvals_waiting()
    raise KeyError(code)


def approvals_waiting() -> Q:
    """What waits for a 组长's approval: a special case (群体性诉求 and the like) signed and
    not yet approved for dispatch, and an extension a unit asked for."""
    special = Q(state=State.ACCEPTED, dispatch_approved=False) & ~Q(special="")
    extension = Q(state=State.DISPATCHED, extension_requested_until__isnull=False)
    return special | extension


def counts(reach, now: dt.datetime) -> dict[str, int]:
    """How many cases wait in each of the user's queues. One small count per queue, each
    answered from an index (state and due time, lead unit, or pending callbacks)."""
    reach = reach_of(reach)
    visible = reach.cases()
    return {
        q.code: visible.filter(condition(q.code, reach, now)).count() for q in queues_for(reach)
    }


def lamp_counts(reach, now: dt.datetime) -> dict[str, int]:
    """Open cases by warning lamp, for the 组长's and 督办's overview."""
    visible = reach_of(reach).cases().filter(state__in=OPEN)
    return {
        lamp: visible.filter(deadlines.lamp_filter(lamp, now)).count()
        for lamp in (Lamp.RED, Lamp.YELLOW, Lamp.GREEN)
    }
