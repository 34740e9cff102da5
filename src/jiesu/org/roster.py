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


class SwapRefused(ValueError):
    """The swap cannot be asked for or decided; the message says why, in Chinese."""


def ask_swap(duty: DutyAssignment, *, to_user, reason: str, by, now=None):
    """The person on a shift asks to hand it to a colleague; the 组长 decides."""
    from jiesu.org.models import DutySwap

    now = now or timezone.now()
    if duty.user_id != by.pk:
        raise SwapRefused("只能为自己的班次申请换班。")
    if duty.starts_at <= now:
        raise SwapRefused("该班次已开始或已结束,不能再换班。")
    if to_user.pk == by.pk:
        raise SwapRefused("请选择另一位同事。")
    if not reason.strip():
        raise SwapRefused("请填写换班原因。")
    if DutyAssignment.objects.filter(day=duty.day, shift=duty.shift, user=to_user).exists():
        raise SwapRefused("该同事当天已排此班次。")
    if duty.swaps.filter(status="pending").exists():
        raise SwapRefused("该班次已有待审批的换班申请。")
    return DutySwap.objects.create(
        duty=duty, to_user=to_user, reason=reason.strip()[:200], asked_by=by, asked_at=now
    )


@transaction.atomic
def decide_swap(swap, *, approved: bool, by, now=None) -> None:
    """The 组长 approves (the shift and its grant move to the colleague) or refuses."""
    from jiesu.org.models import DutySwap, SwapStatus

    now = now or timezone.now()
    taken = DutySwap.objects.filter(pk=swap.pk, status=SwapStatus.PENDING).update(
        status=SwapStatus.APPROVED if approved else SwapStatus.REFUSED,
        decided_by=by,
        decided_at=now,
    )
    if not taken:
        raise SwapRefused("该换班申请已处理。")
    if not approved:
        return
    duty = swap.duty
    if duty.starts_at <= now:
        raise SwapRefused("该班次已开始,不能再换班。")
    if DutyAssignment.objects.filter(day=duty.day, shift=duty.shift, user=swap.to_user).exists():
        raise SwapRefused("该同事当天已排此班次。")
    # the same assignment and grant, now the colleague's
    if duty.grant_id:
        Membership.objects.filter(pk=duty.grant_id).update(user=swap.to_user)
    was = swap.asked_by.get_full_name() or swap.asked_by.username
    DutyAssignment.objects.filter(pk=duty.pk).update(
        user=swap.to_user, note=f"换班:原{was}" + (f";{duty.note}" if duty.note else "")
    )


def apply_rota(template, *, first: dt.date, last: dt.date) -> int:
    """Fill the days from `first` to `last` with a rota template's turns."""
    from django.contrib.auth import get_user_model

    from jiesu.org.models import Shift

    if last < first:
        raise ValueError("结束日期不能早于开始日期。")
    if (last - first).days > 92:
        raise ValueError("一次最多排三个月。")
    users = get_user_model().objects.in_bulk(
        [int(u) for people in template.turns.values() for u in people]
    )
    shifts = Shift.objects.in_bulk([int(s) for s in template.turns])
    rota = {
        shifts[int(s)]: [users[int(u)] for u in people if int(u) in users]
        for s, people in template.turns.items()
        if int(s) in shifts
    }
    return fill_month(
        unit=template.unit, first=first, days=(last - first).days + 1, rota=rota, role=template.role
    )


def key_periods(unit, day: dt.date):
    """The key periods (两会, 春节…) of the unit holding `day`."""
    from jiesu.org.models import DutyPeriod

    return DutyPeriod.objects.filter(unit=unit, first_day__lte=day, last_day__gte=day)
