"""Reads of cases: filtered lists, queues and the timeline. Every read starts at visible_to."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from jiesu.cases import deadlines, search
from jiesu.cases.models import Case, Category
from jiesu.org.models import Unit


@dataclass
class CaseFilter:
    state: str | None = None
    lamp: str | None = None
    unit: int | None = None
    category: int | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str | None = None
    community: int | None = None
    request_type: str | None = None
    tag: int | None = None
    platform: str | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=deadlines.LOCAL)


def _in_subtree(unit_id: int) -> Q | None:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return None
    subtree = Unit.objects.filter(path__startswith=unit.path).values("id")
    co_unit = Case.co_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=subtree)
    return Q(lead_unit_id__in=subtree) | Q(community_id__in=subtree) | Exists(co_unit)


def filter_cases(qs, f: CaseFilter, now: dt.datetime, user=None):
    """Apply a CaseFilter; an unknown unit or category matches nothing. The search finds
    callers' phones only for a `user` who may reveal them."""
    if f.state:
        qs = qs.filter(state=f.state)
    if f.lamp:
        qs = qs.filter(deadlines.lamp_filter(f.lamp, now))
    if f.unit:
        in_unit = _in_subtree(f.unit)
        qs = qs.filter(in_unit) if in_unit is not None else qs.none()
    if f.community:
        qs = qs.filter(community_id=f.community)
    if f.category:
        cat = Category.objects.filter(pk=f.category).first()
        if cat is None:
            return qs.none()
        qs = qs.filter(category__path__startswith=cat.path)
    if f.request_type:
        qs = qs.filter(request_type=f.request_type)
    if f.platform:
        qs = qs.filter(platform=f.platform)
    if f.tag:
        qs = qs.filter(
            Exists(Case.tags.through.objects.filter(case_id=OuterRef("pk"), tag_id=f.tag))
        )
    if f.received_from:
        qs = qs.filter(received_at__gte=_local_midnight(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_local_midnight(f.received_to + dt.timedelta(days=1)))
    if f.q:
        found = search.find(f.q, user)
        qs = qs.filter(found.condition)
        if found.few:  # the list is drawn from the few matches (see search.Found)
            qs = Case.objects.filter(pk__in=qs.values("pk"))
    return qs


BY_DUE_TIME = (F("current_due_at").asc(nulls_last=True), "-received_at", "-id")
NEWEST_FIRST = ("-received_at", "-id")


def case_list(user, f: CaseFilter, *, extra: Q | None = None, ordering=BY_DUE_TIME):
    """Visible cases matching the filter (and an extra condition such as a queue's)."""
    now = timezone.now()
    qs = Case.objects.visible_to(user)
    if extra is not None:
        qs = qs.filter(extra)
    qs = filter_cases(qs, f, now, user).annotate(live_lamp=deadlines.live_lamp(now))
    return qs.select_related("category", "lead_unit", "community").order_by(*ordering)


def timeline(case):
    return case.events.select_related("actor").order_by("at", "id")


def case_detail_queryset(user):
    return Case.objects.visible_to(user).select_related(
        "category", "lead_unit", "community", "district", "street"
    )
