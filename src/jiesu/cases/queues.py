"""Work queues: which cases wait for whom, counted in one query per page load."""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from jiesu.cases import deadlines
from jiesu.cases.models import RUNNING_STATES, Case, Lamp, State
from jiesu.org.models import HANDLER_ROLES, Unit
from jiesu.org.models import Role as R
from jiesu.org.queries import grants_of

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


def arranged(code: str, cases, now: dt.datetime, period_start: dt.datetime):
    """A queue's (filtered) cases in the queue's order. 待回访 lists the current assessment
    period's cases (received from `period_start`) first, then the earlier ones, each by how
    long it has waited: in parts that each follow the waiting-callback index, because
    sorting the whole queue by period reads every waiting case (at a million cases 100,000
    of them, most of a second)."""
    cases = cases.order_by(*ordering(code, now))
    if code != "callback":
        return cases
    # received in the period means closed in it too; closed before it means received before
    closed_since = Q(awaiting_callback_at__gte=period_start)
    return Parts(
        cases,
        cases.filter(closed_since, received_at__gte=period_start),
        cases.exclude(closed_since),
        cases.filter(closed_since, received_at__lt=period_start),
    )


def queues_for(user) -> list[Queue]:
    roles = {g.role for g in grants_of(user)}
    return [q for q in QUEUES if q.roles & roles]


def _my_units_q(user) -> Q:
    """Cases whose lead unit or a co-unit is one of the user's handling units."""
    paths = {g.path for g in grants_of(user) if g.role in HANDLER_ROLES}
    if not paths:
        return Q(pk__in=[])
    units_q = Q()
    for path in paths:
        units_q |= Q(path__startswith=path)
    units = Unit.objects.filter(units_q).values("id")
    co_unit = Case.co_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=units)
    return Q(lead_unit_id__in=units) | Exists(co_unit)


def condition(code: str, user, now: dt.datetime) -> Q:
    """The cases in a queue, as a filter on visible cases."""
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
        return Q(state__in=[State.DISPATCHED, State.SHELVED]) & _my_units_q(user)
    raise KeyError(code)


def counts(user, now: dt.datetime) -> dict[str, int]:
    """How many cases wait in each of the user's queues. One small count per queue, each
    answered from an index (state and due time, lead unit, or pending callbacks)."""
    visible = Case.objects.visible_to(user)
    return {q.code: visible.filter(condition(q.code, user, now)).count() for q in queues_for(user)}


def lamp_counts(user, now: dt.datetime) -> dict[str, int]:
    """Open cases by warning lamp, for the 组长's and 督办's overview."""
    visible = Case.objects.visible_to(user).filter(state__in=OPEN)
    return {
        lamp: visible.filter(deadlines.lamp_filter(lamp, now)).count()
        for lamp in (Lamp.RED, Lamp.YELLOW, Lamp.GREEN)
    }
