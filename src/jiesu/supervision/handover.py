"""Shift handover (交接班). At each shift's start the worker makes the street's handover
list once (`prepare(now)`): the open cases red or yellow at that moment, the approvals
waiting, the 督办 answers not yet given. The outgoing shift writes its notes into the
coming handover beforehand (`write_notes`); someone of the incoming shift acknowledges it
(`acknowledge`). Both stay, printable. A handover missed while no worker ran is made late
within LOOKBACK, with the cases as they are then, and says when it was made."""

import datetime as dt

from django.utils import timezone

from jiesu.cases import deadlines, queues
from jiesu.cases.display import masked_pii
from jiesu.cases.models import RUNNING_STATES, Case, Lamp
from jiesu.core.localtime import LOCAL
from jiesu.core.scoping import unscoped
from jiesu.org import roster
from jiesu.org.models import Handover, Shift, Unit, UnitKind
from jiesu.supervision import orders
from jiesu.supervision.models import Kind, SupervisionOrder
from jiesu.supervision.notify import notify

LOOKBACK = dt.timedelta(hours=2)
LISTED = 100  # cases per list; the counts are whole
WHY = "the handover lists the street's red and yellow cases for the desk"


def changes_around(now: dt.datetime) -> tuple[tuple[dt.datetime, Shift] | None, tuple]:
    """(the latest shift start at or before now, the next one after now)."""
    local = now.astimezone(LOCAL)
    starts = []
    for shift in roster.shifts():
        for offset in (-1, 0, 1):
            day = local.date() + dt.timedelta(days=offset)
            starts.append((dt.datetime.combine(day, shift.starts, tzinfo=LOCAL), shift))
    starts.sort(key=lambda s: s[0])
    before = [s for s in starts if s[0] <= local]
    after = [s for s in starts if s[0] > local]
    return (before[-1] if before else None), after[0]


def streets():
    return Unit.objects.filter(active=True, kind=UnitKind.STREET)


def prepare(now: dt.datetime | None = None) -> int:
    """Make the handover of the shift change just passed for every street, once."""
    now = now or timezone.now()
    latest, _ = changes_around(now)
    if latest is None or now - latest[0] > LOOKBACK:
        return 0
    changes_at, shift = latest
    made = 0
    for unit in streets():
        handover, _ = Handover.objects.get_or_create(
            unit=unit, changes_at=changes_at, defaults={"shift_in": shift}
        )
        if handover.made_at is not None:  # made by an earlier pass: nothing to read again
            continue
        items = snapshot(unit, changes_at if now - changes_at < dt.timedelta(minutes=5) else now)
        if Handover.objects.filter(pk=handover.pk, made_at=None).update(items=items, made_at=now):
            made += 1
            _tell_incoming(handover, items, changes_at, now)
    return made


def _tell_incoming(handover: Handover, items: dict, changes_at, now) -> None:
    """The people on the incoming shift are told their handover is ready."""
    coming = [
        d.user
        for d in roster.on_duty([handover.unit], changes_at)
        if d.shift_id == handover.shift_in_id
    ]
    text = (
        f"【交接班】{handover.unit.name}{changes_at.astimezone(LOCAL):%m-%d %H:%M}交接单已生成:"
        f"红灯{items['red']['count']}件,黄灯{items['yellow']['count']}件,"
        f"待审批{items['approvals']['count']}件,督办待答复{items['orders']['count']}项,请确认接班。"
    )
    notify(Kind.HANDOVER, coming, text=text, key=f"handover:{handover.pk}", at=now)


def _case_row(case, at) -> dict:
    shown = masked_pii(case, content=False)
    return {
        "id": case.pk,
        "number": case.platform_no,
        "title": shown["title"],
        "unit": case.lead_unit.name if case.lead_unit else "",
        "state": case.get_state_display(),
        "due": f"{case.current_due_at.astimezone(LOCAL):%m-%d %H:%M}"
        if case.current_due_at
        else "",
    }


def snapshot(unit: Unit, at: dt.datetime) -> dict:
    cases = unscoped(Case.objects.filter(street=unit, state__in=RUNNING_STATES), why=WHY)
    lists = {}
    for name, lamp in (("red", Lamp.RED), ("yellow", Lamp.YELLOW)):
        found = cases.filter(deadlines.lamp_filter(lamp, at)).select_related("lead_unit")
        lists[name] = {
            "count": found.count(),
            "rows": [_case_row(c, at) for c in found.order_by("current_due_at", "pk")[:LISTED]],
        }
    waiting = unscoped(Case.objects.filter(street=unit), why=WHY).filter(queues.approvals_waiting())
    lists["approvals"] = {
        "count": waiting.count(),
        "rows": [
            {
                **_case_row(c, at),
                "what": "延期申请" if c.extension_requested_until else "特殊工单派单",
            }
            for c in waiting.select_related("lead_unit").order_by("pk")[:LISTED]
        ],
    }
    street_orders = unscoped(SupervisionOrder.objects.filter(street=unit), why=WHY)
    due = orders.answers_due(street_orders, at + dt.timedelta(hours=24))
    lists["orders"] = {
        "count": due.count(),
        "rows": [
            {
                "order": a.order.number,
                "order_id": a.order_id,
                "unit": a.unit.name,
                "due": f"{a.order.answer_due_at.astimezone(LOCAL):%m-%d %H:%M}",
                "late": a.order.answer_due_at <= at,
            }
            for a in due[:LISTED]
        ],
    }
    return lists


def coming(unit: Unit, now: dt.datetime | None = None) -> Handover:
    """The next handover of the street, where the outgoing shift writes its notes."""
    now = now or timezone.now()
    _, (changes_at, shift) = changes_around(now)
    handover, _ = Handover.objects.get_or_create(
        unit=unit, changes_at=changes_at, defaults={"shift_in": shift}
    )
    return handover


def write_notes(handover: Handover, *, text: str, by) -> None:
    Handover.objects.filter(pk=handover.pk).update(notes=text.strip()[:5000], notes_by=by)


def acknowledge(handover: Handover, *, by, now: dt.datetime | None = None) -> bool:
    """The incoming shift takes the list; False when it was taken already or is not made."""
    return bool(
        Handover.objects.filter(pk=handover.pk, acknowledged_at=None)
        .exclude(made_at=None)
        .update(acknowledged_by=by, acknowledged_at=now or timezone.now())
    )
