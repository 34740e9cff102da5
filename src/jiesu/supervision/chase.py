"""The worker's chasing (自动催办与提醒), one pass at `now`:

- 催办: at each 督办节点 of the time-limit policy (2 h, 24 h, 7 d after dispatch by default)
  a dispatched
  case is urged as a system step on its timeline, and its unit's handlers are told;
- 临期提醒: `remind_hours` before the unit's due time, the handlers are reminded (a system
  催办 on the timeline too);
- 超期升级: when the case turns red, the street's 组长 and the unit's leaders are told,
  urgently, and the timeline says so;
- 每日汇总: at `digest_at` each handling unit's handlers get its open, near-due and overdue
  counts.

Each step is marked (ChaseMark, or the notification's own key) in the transaction that
takes it, so two workers never take it twice. A step missed while no worker ran is taken
late within `lookback_hours`, never for the whole history at once. Times are the case's own
clocks (current_due_at is computed on the working-day calendar, 调休 included).
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from jiesu.cases import deadlines, workflow
from jiesu.cases.models import Case, State
from jiesu.core.localtime import LOCAL
from jiesu.core.scoping import unscoped
from jiesu.core.versioned import in_force_on
from jiesu.org.access import Reach
from jiesu.org.models import HANDLING_KINDS, Role, Unit
from jiesu.supervision.models import ChaseMark, ChaseRule, Kind
from jiesu.supervision.notify import notify

logger = logging.getLogger(__name__)
WHY = "the worker chases every dispatched case of every unit"
HANDLERS = (Role.OFFICE_HANDLER, Role.COMMUNITY_HANDLER)


def rule_at(now: dt.datetime) -> ChaseRule:
    return in_force_on(ChaseRule, now.astimezone(LOCAL).date())


def urge_nodes(now: dt.datetime) -> list[int]:
    """The 催办 nodes in hours after dispatch: the time-limit policy's 督办节点 in force today
    (2 h, 24 h, 7 d by default)."""
    policy = deadlines.policy_on(now.astimezone(LOCAL).date())
    return sorted(set(policy.supervision_hours or deadlines.DEFAULT_SUPERVISION_HOURS))


def run(now: dt.datetime | None = None) -> dict:
    """One pass; returns how many of each step were taken."""
    now = now or timezone.now()
    rule = rule_at(now)
    return {
        "urge": urge(now, rule),
        "due_soon": due_soon(now, rule),
        "overdue": overdue(now, rule),
        "digest": digest(now, rule),
    }


def _dispatched():
    return unscoped(Case.objects.filter(state=State.DISPATCHED), why=WHY)


def _unmarked(cases, kind: str, node: int, since_field: str):
    marked = ChaseMark.objects.filter(
        case=OuterRef("pk"), kind=kind, node=node, since=OuterRef(since_field)
    )
    return cases.exclude(Exists(marked))


def _hours(hours: int) -> str:
    if hours % 24 == 0:
        return f"{hours // 24}天"
    return f"{hours}小时"


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LOCAL):%m-%d %H:%M}"


def handlers_of(case, at) -> list:
    unit = case.lead_unit
    if unit is None:
        return []
    people = {}
    for role in HANDLERS:
        for user in Reach.who(role, unit, at=at):
            people[user.pk] = user
    return list(people.values())


def leaders_of(case, at) -> list:
    """The 组长 of the case's street and the leaders of its lead unit (those holding 组长
    on the unit or above it)."""
    people = {}
    for unit in (case.lead_unit, case.street):
        if unit is not None:
            for user in Reach.who(Role.LEADER, unit, at=at):
                people[user.pk] = user
    return list(people.values())


def _step(case, kind, node, since, now, note, tell, text) -> bool:
    """Mark, urge on the timeline and tell, in one transaction; False when another worker
    took the step first."""
    try:
        with transaction.atomic():
            ChaseMark.objects.create(case=case, kind=kind, node=node, since=since, at=now)
            workflow.urge(case, by=None, note=note, at=now)
            key = f"{kind}:{case.pk}:{node}:{since.timestamp():.0f}"
            notify(kind, tell, text=text, key=key, case=case, at=now)
    except IntegrityError:
        return False
    return True


def urge(now: dt.datetime, rule: ChaseRule) -> int:
    done = 0
    back = dt.timedelta(hours=rule.lookback_hours)
    for hours in urge_nodes(now):
        node = dt.timedelta(hours=hours)
        due = _dispatched().filter(
            dispatched_at__lte=now - node, dispatched_at__gt=now - node - back
        )
        for case in _unmarked(due, Kind.URGE, hours, "dispatched_at").select_related(
            "lead_unit", "street"
        ):
            label = _hours(hours)
            text = f"【自动催办】工单{case.platform_no}派单已满{label},请抓紧办理" + (
                f",办理时限{_local(case.current_due_at)}。" if case.current_due_at else "。"
            )
            done += _step(
                case,
                Kind.URGE,
                hours,
                case.dispatched_at,
                now,
                f"自动催办:派单已满{label}",
                handlers_of(case, now),
                text,
            )
    return done


def due_soon(now: dt.datetime, rule: ChaseRule) -> int:
    if not rule.remind_hours:
        return 0
    ahead = dt.timedelta(hours=rule.remind_hours)
    due = _dispatched().filter(current_due_at__gt=now, current_due_at__lte=now + ahead)
    done = 0
    for case in _unmarked(due, Kind.DUE_SOON, rule.remind_hours, "current_due_at").select_related(
        "lead_unit", "street"
    ):
        text = (
            f"【临期提醒】工单{case.platform_no}将于{_local(case.current_due_at)}到期,"
            "请在时限内办结并回复。"
        )
        done += _step(
            case,
            Kind.DUE_SOON,
            rule.remind_hours,
            case.current_due_at,
            now,
            f"临期提醒:{_local(case.current_due_at)}到期",
            handlers_of(case, now),
            text,
        )
    return done


def overdue(now: dt.datetime, rule: ChaseRule) -> int:
    back = dt.timedelta(hours=rule.lookback_hours)
    due = _dispatched().filter(current_due_at__lte=now, current_due_at__gt=now - back)
    done = 0
    for case in _unmarked(due, Kind.OVERDUE, 0, "current_due_at").select_related(
        "lead_unit", "street"
    ):
        unit = case.lead_unit.name if case.lead_unit else "未派单"
        text = (
            f"【超期】工单{case.platform_no}({unit})已超过办理时限"
            f"{_local(case.current_due_at)},请督促办理。"
        )
        tell = leaders_of(case, now) + handlers_of(case, now)
        done += _step(
            case,
            Kind.OVERDUE,
            0,
            case.current_due_at,
            now,
            "超期升级:已告知组长和承办单位负责人",
            tell,
            text,
        )
    return done


def digest(now: dt.datetime, rule: ChaseRule) -> int:
    """Each handling unit's daily counts, from `digest_at` on (once a day)."""
    local = now.astimezone(LOCAL)
    if local.time() < rule.digest_at:
        return 0
    soon = dt.timedelta(hours=rule.remind_hours or 24)
    counts = (
        _dispatched()
        .exclude(lead_unit=None)
        .values("lead_unit")
        .annotate(
            open=Count("pk"),
            near=Count("pk", filter=Q(current_due_at__gt=now, current_due_at__lte=now + soon)),
            late=Count("pk", filter=Q(current_due_at__lte=now)),
        )
    )
    units = Unit.objects.in_bulk([c["lead_unit"] for c in counts])
    told = 0
    for row in counts:
        unit = units[row["lead_unit"]]
        if unit.kind not in HANDLING_KINDS:
            continue
        people = set()
        for role in HANDLERS:
            people.update(Reach.who(role, unit, at=now))
        text = (
            f"【每日汇总】{unit.name}截至{local:%m-%d %H:%M}:在办{row['open']}件,"
            f"临期{row['near']}件,超期{row['late']}件。"
        )
        told += notify(
            Kind.DIGEST, people, text=text, key=f"digest:{unit.pk}:{local.date()}", at=now
        )
    return told
