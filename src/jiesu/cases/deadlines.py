"""The clocks: the case clock from arrival and the stage clocks, with warning lamps.

Hour limits run on natural time. Day limits are natural days, or working days on the
official calendar (with 调休) when the policy in force says so.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q

from jiesu.cases.models import (
    RUNNING_STATES,
    Case,
    DayMode,
    DeadlinePolicy,
    Lamp,
    State,
    Urgency,
)
from jiesu.core import calendar, versioned
from jiesu.core.localtime import LOCAL

DEFAULT_SUPERVISION_HOURS = DeadlinePolicy.DEFAULT_SUPERVISION_HOURS


def clear_cache() -> None:
    versioned.clear(DeadlinePolicy)


def policy_on(day: dt.date) -> DeadlinePolicy:
    """The policy in force on `day`; the built-in defaults before any row applies."""
    return versioned.in_force_on(DeadlinePolicy, day)


@dataclass(frozen=True)
class Limit:
    hours: int | None = None
    days: int | None = None
    until: dt.datetime | None = None


def completion_limit(case, policy: DeadlinePolicy) -> Limit:
    """The case's own limit from the platform wins; else the urgency default."""
    if case.platform_due_at:
        return Limit(until=case.platform_due_at)
    if case.limit_hours:
        return Limit(hours=case.limit_hours)
    if case.limit_days:
        return Limit(days=case.limit_days)
    return {
        Urgency.EMERGENCY: Limit(hours=policy.emergency_hours),
        Urgency.UTILITY: Limit(hours=policy.utility_hours),
        Urgency.ORDINARY: Limit(days=policy.ordinary_days),
        Urgency.COMPLEX: Limit(days=policy.complex_days),
    }[case.urgency]


def add_limit(start: dt.datetime, limit: Limit, mode: str) -> tuple[dt.datetime, bool]:
    """The due time for a limit counted from `start`, and whether it rests on a year with
    no official holiday schedule loaded."""
    if limit.until is not None:
        return limit.until, False
    if limit.hours is not None:
        return start + dt.timedelta(hours=limit.hours), False
    local = start.astimezone(LOCAL)
    if mode == DayMode.WORKING:
        day = calendar.add_workdays(local.date(), limit.days)
        years = range(local.year, day.year + 1)
        unscheduled = not all(calendar.has_official_schedule(y) for y in years)
        due = dt.datetime.combine(day, local.timetz()).replace(tzinfo=LOCAL)
        return due, unscheduled
    return local + dt.timedelta(days=limit.days), False


def intake_deadlines(case) -> dict:
    """Deadlines fixed when a case arrives: sign, return and completion."""
    policy = policy_on(case.received_at.astimezone(LOCAL).date())
    due, unscheduled = add_limit(case.received_at, completion_limit(case, policy), policy.day_mode)
    return {
        "sign_due_at": case.received_at + dt.timedelta(minutes=policy.sign_minutes),
        "return_due_at": case.received_at + dt.timedelta(minutes=policy.return_minutes),
        "due_at": due,
        "due_unscheduled": unscheduled,
    }


def dispatch_deadline(signed_at: dt.datetime) -> dt.datetime:
    policy = policy_on(signed_at.astimezone(LOCAL).date())
    return signed_at + dt.timedelta(minutes=policy.dispatch_minutes)


def supervision_nodes(dispatched_at: dt.datetime) -> list[dt.datetime]:
    """催办 nodes after dispatch (default 2 h, 24 h, 7 d)."""
    policy = policy_on(dispatched_at.astimezone(LOCAL).date())
    hours = policy.supervision_hours or DEFAULT_SUPERVISION_HOURS
    return [dispatched_at + dt.timedelta(hours=h) for h in hours]


def stage_clock(case) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, due) of the clock that matters in the case's current state."""
    if case.state == State.RECEIVED:
        return case.received_at, case.sign_due_at
    if case.state == State.ACCEPTED:
        return case.signed_at, case.dispatch_due_at
    if case.state in (State.DISPATCHED, State.REPLIED):
        return case.received_at, case.due_at
    return None, None


def lamp_for(start, due, now: dt.datetime, share: Decimal) -> str:
    if start is None or due is None:
        return Lamp.NONE
    if now > due:
        return Lamp.RED
    total = (due - start).total_seconds()
    if total <= 0 or (now - start).total_seconds() >= float(share) * total:
        return Lamp.YELLOW
    return Lamp.GREEN


def clock_fields(case, now: dt.datetime) -> dict:
    """The hot clock fields for the case as it stands now."""
    start, due = stage_clock(case)
    share = policy_on(case.received_at.astimezone(LOCAL).date()).due_soon_share
    warn = None
    if start is not None and due is not None:
        warn = start + max(due - start, dt.timedelta(0)) * float(share)
    return {
        "current_stage_start": start,
        "current_due_at": due,
        "current_warn_at": warn,
        "lamp": lamp_for(start, due, now, share),
    }


def lamp_filter(lamp: str, now: dt.datetime) -> Q:
    """Cases whose lamp is `lamp` at `now`, from the stored clock times (always current)."""
    if lamp == Lamp.RED:
        return Q(current_due_at__lt=now)
    if lamp == Lamp.YELLOW:
        return Q(current_warn_at__lte=now, current_due_at__gte=now)
    if lamp == Lamp.GREEN:
        return Q(current_warn_at__gt=now)
    return Q(current_due_at__isnull=True)


def live_lamp(now: dt.datetime) -> models.Case:
    """An annotation giving each case its lamp at `now`."""
    return models.Case(
        *(
            models.When(lamp_filter(lamp, now), then=models.Value(lamp))
            for lamp in (Lamp.RED, Lamp.YELLOW, Lamp.GREEN)
        ),
        default=models.Value(Lamp.NONE),
        output_field=models.CharField(),
    )


def refresh_lamps(now: dt.datetime) -> int:
    """Bring the stored `lamp` column of the running cases up to `now`; returns how many
    changed. Only running cases have a clock: every step that leaves the running states
    sets the lamp itself (clock_fields), so the other cases need no pass, and the
    (state, due time) index serves each update instead of a scan of every case."""
    changed = 0
    running = Case.objects.filter(state__in=RUNNING_STATES)
    for lamp in (Lamp.RED, Lamp.YELLOW, Lamp.GREEN, Lamp.NONE):
        changed += running.filter(lamp_filter(lamp, now)).exclude(lamp=lamp).update(lamp=lamp)
    return changed


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LOCAL):%Y-%m-%d %H:%M}"


def rescheduled(case) -> tuple[dt.datetime, bool] | None:
    """The completion due time and flag a case should have on today's calendar, or None
    when its limit is not counted in working days. An approved extension keeps its date."""
    policy = policy_on(case.received_at.astimezone(LOCAL).date())
    limit = completion_limit(case, policy)
    if limit.days is None or policy.day_mode != DayMode.WORKING:
        return None
    due, unscheduled = add_limit(case.received_at, limit, policy.day_mode)
    return (case.due_at if case.original_due_at else due), unscheduled


def _reason(case, due: dt.datetime, unscheduled: bool) -> str:
    if case.due_at is None:
        text = f"节假日安排更新,办结时限定为 {_local(due)}"
    elif due != case.due_at:
        text = f"节假日安排更新,办结时限由 {_local(case.due_at)} 改为 {_local(due)}"
    elif case.original_due_at:
        text = f"节假日安排更新,已批准延期的办结时限 {_local(due)} 不变"
    else:
        text = f"节假日安排更新,办结时限 {_local(due)} 不变"
    if unscheduled:
        return text + "(该年官方放假安排尚未标记录入完成,仍按周末推算,仅供参考)"
    return text + "(已按官方放假安排计算)"


def reschedule_year(year: int, *, at: dt.datetime | None = None) -> int:
    """After the official calendar of `year` changed (a day entered, changed or deleted, the
    year marked complete or unmarked): recompute the completion due time of every open case
    whose working-day clock runs through that year, through the workflow, with a timeline
    event on each case that changed. Returns how many cases changed."""
    from jiesu.cases import workflow
    from jiesu.cases.errors import Conflict

    calendar.clear_cache()
    start = dt.datetime(year, 1, 1, tzinfo=LOCAL)
    end = dt.datetime(year + 1, 1, 1, tzinfo=LOCAL)
    open_cases = Case.objects.filter(state__in=workflow.OPEN_STATES, received_at__lt=end).filter(
        Q(due_at__gte=start) | Q(original_due_at__gte=start)
    )
    changed = 0
    with transaction.atomic():
        for case in list(open_cases.order_by("pk")):
            for _attempt in range(3):
                fixed = rescheduled(case)
                if fixed is None or fixed == (case.due_at, case.due_unscheduled):
                    break
                due, unscheduled = fixed
                try:
                    workflow.reschedule(
                        case,
                        due_at=due,
                        due_unscheduled=unscheduled,
                        reason=_reason(case, due, unscheduled),
                        at=at,
                    )
                except Conflict:  # someone acted on the case meanwhile: read it again
                    case = Case.objects.get(pk=case.pk)
                    continue
                changed += 1
                break
    return changed
