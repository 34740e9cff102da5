"""Who may read which audit rows, the filtered list, and reveal counts per person per day."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from jiesu.audit.models import AuditEvent, Kind
from jiesu.core.localtime import LOCAL
from jiesu.core.scoping import reach_of
from jiesu.org.models import Membership, Role

COUNT_LIMIT = 10_000


def is_audit_admin(who) -> bool:
    """The superuser, or an administrator (`who`: a user or their Reach)."""
    reach = reach_of(who)
    return bool(reach.user.is_superuser or reach.holds(Role.ADMIN))


def led_paths(who) -> list[str]:
    return reach_of(who).paths({Role.LEADER})


def may_read(who) -> bool:
    return is_audit_admin(who) or bool(led_paths(who))


def visible_events(who):
    """The administrator reads every row. A 组长 reads the rows of the people who hold a
    grant on a unit in a subtree they lead (themselves included), except the rows of
    administrators and superusers; failed logins and lockouts count by the username tried.
    Everyone else reads nothing."""
    reach = reach_of(who)
    if is_audit_admin(reach):
        return AuditEvent.objects.all()
    if not led_paths(reach):
        return AuditEvent.objects.none()
    units = reach.units({Role.LEADER})
    people = Membership.objects.filter(unit__in=units).values("user_id")
    overseers = Membership.objects.filter(role=Role.ADMIN).values("user_id")
    staff = (
        get_user_model()
        .objects.filter(pk__in=people)
        .exclude(pk__in=overseers)
        .exclude(is_superuser=True)
    )
    return AuditEvent.objects.filter(
        Q(actor_id__in=staff.values("pk"))
        | Q(
            actor_id=None,
            kind__in=[Kind.LOGIN_FAILED, Kind.LOCKOUT],
            actor_username__in=staff.values("username"),
        )
    )


def local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def first_id_from(moment: dt.datetime) -> int:
    """The id of the first row at or after `moment`. Rows are written in time order (see
    log.record), so a time range is an id range, and every filter can walk an id index."""
    first = (
        AuditEvent.objects.filter(at__gte=moment).order_by("at", "id").values_list("id", flat=True)
    )
    found = first.first()
    if found is not None:
        return found
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


def filtered(events, *, since=None, until=None, person="", kind="", ip=""):
    """`since` and `until` are dates, both days included."""
    if since:
        events = events.filter(id__gte=first_id_from(local_day_start(since)))
    if until:
        end = local_day_start(until + dt.timedelta(days=1))
        events = events.filter(id__lt=first_id_from(end))
    if person:
        events = events.filter(actor_username=person)
    if kind:
        events = events.filter(kind=kind)
    if ip:
        events = events.filter(ip=ip)
    return events


def page(events, *, before: int | None, size: int) -> tuple[list[AuditEvent], int | None]:
    """One page, newest first, of the rows older than `before`; and the next page's `before`."""
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more else None)


def bounded_count(events) -> tuple[int, bool]:
    """How many rows match, counting at most COUNT_LIMIT; and whether there are more."""
    n = events.order_by()[: COUNT_LIMIT + 1].count()
    return min(n, COUNT_LIMIT), n > COUNT_LIMIT


def reveal_days(events, *, days: int = 30, now=None) -> tuple[list[dt.date], list[dict]]:
    """Reveals per person per day over the last `days` days: the days, newest first, and
    one row per person with their counts in that order and their total."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    span = [today - dt.timedelta(days=n) for n in range(days)]
    counts = (
        events.filter(kind=Kind.REVEAL, id__gte=first_id_from(local_day_start(span[-1])))
        .annotate(day=TruncDate("at", tzinfo=LOCAL))
        .values("actor_username", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    people: dict[str, dict] = {}
    for row in counts:
        person = people.setdefault(row["actor_username"], {})
        person[row["day"]] = row["n"]
    table = [
        {
            "person": name,
            "counts": [by_day.get(day, 0) for day in span],
            "total": sum(by_day.values()),
        }
        for name, by_day in people.items()
    ]
    table.sort(key=lambda r: (-r["total"], r["person"]))
    return span, table


def recent_alerts(events, *, now=None, hours: int = 24):
    since = (now or timezone.now()) - dt.timedelta(hours=hours)
    return list(events.filter(kind=Kind.ALERT, id__gte=first_id_from(since)).order_by("-id")[:20])
