"""Work queues: which cases wait for whom, counted in one query per page load."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q

from jiesu.cases import deadlines
from jiesu.cases.models import Case, Lamp, State
from jiesu.org.models import HANDLER_ROLES, Unit
from jiesu.org.models import Role as R
from jiesu.org.queries import grants_of

OPEN = [State.RECEIVED, State.ACCEPTED, State.DISPATCHED, State.REPLIED]
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


# Soonest due first; queues without a running clock by how long they have waited.
ORDERING = {
    "callback": ("awaiting_callback_at", "id"),
    "shelved": ("received_at", "id"),
    "mine": (F("unit_due_at").asc(nulls_last=True), "received_at", "id"),
}
DUE_COLUMN = {"callback": "awaiting_callback_at", "mine": "unit_due_at"}


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
