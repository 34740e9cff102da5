"""The duty roster (排班): a person on a shift holds the desk grant for the shift's hours.

`assign()` makes the assignment and its timed grant together; `unassign()` removes both
(the grant of a shift already begun ends now, so what was done stays attributable and the
access stops). `on_duty(units, at)` is who is on duty at a moment, with the time each
one's shift ends; the overlap of two shifts (17:30–18:00, 08:30–09:00) shows both.
`fill_month()` lays a rota over a month: people in turn on each shift of each day.
"""

import datetime as dt
import itertools

from django.db import transaction
from django.utils import timezone

from jiesu.core.localtime import LOCAL
from jiesu.org.models import DutyAssignment, Membership, Shift

DEFAULT_SHIFTS = (
    ("白班", dt.time(8, 30), dt.time(18, 0)),
    ("夜班", dt.time(17, 30), dt.time(9, 0)),
)


def shifts() -> list[Shift]:
    """The shifts, made with the contracts' defaults the first time they are asked for."""
    found = list(Shift.objects.all())
    if found:
        return found
    for order, (name, starts, ends) in enumerate(DEFAULT_SHIFTS):
        Shift.objects.get_or_create(
            name=name, defaults={"starts": starts, "ends": ends, "order": order}
        )
    return list(Shift.objects.all())


def hours_of(shift: Shift, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, shift.starts, tzinfo=LOCAL)
    end_day = day + dt.timedelta(days=1) if shift.overnight else day
    return start, dt.datetime.combine(end_day, shift.ends, tzinfo=LOCAL)


@transaction.atomic
def assign(*, unit, day: dt.date, shift: Shift, user, role: str, note: str = "") -> DutyAssignment:
    starts, ends = hours_of(shift, day)
    grant = Membership.objects.create(
        user=user, unit=unit, role=role, valid_from=starts, valid_to=ends
    )
    return DutyAssignment.objects.create(
        unit=unit,
        day=day,
        shift=shift,
        user=user,
        role=role,
        starts_at=starts,
        ends_at=ends,
        grant=grant,
        note=note,
    )


@transaction.atomic
def unassign(duty: DutyAssignment, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if duty.grant_id:
        if duty.starts_at <= now < duty.ends_at:
            Membership.objects.filter(pk=duty.grant_id).update(valid_to=now)
        elif now < duty.starts_at:
            Membership.objects.filter(pk=duty.grant_id).delete()
    if now < duty.starts_at:
        duty.delete()
    else:  # a shift begun or past stays on the roster as it was worked
        DutyAssignment.objects.filter(pk=duty.pk).update(ends_at=min(duty.ends_at, now))


def on_duty(units, at: dt.datetime | None = None):
    """Assignments in force at `at` on any of `units` (a queryset or list), earliest end
    first."""
    at = at or timezone.now()
    return (
        DutyAssignment.objects.filter(unit__in=units, starts_at__lte=at, ends_at__gt=at)
        .select_related("user", "shift", "unit")
        .order_by("ends_at", "shift__order", "user__username")
    )


def fill_month(*, unit, first: dt.date, days: int, rota: dict, role: str) -> int:
    """Lay people over `days` days from `first`: `rota` maps a shift to the people who
    take it in turn, one a day. Days already on the roster for a person and shift are kept."""
    made = 0
    turns = {shift: itertools.cycle(people) for shift, people in rota.items() if people}
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        for shift, people in turns.items():
            user = next(people)
            if not DutyAssignment.objects.filter(day=day, shift=shift, user=user).exists():
                assign(unit=unit, day=day, shift=shift, user=user, role=role)
                made += 1
    return made
