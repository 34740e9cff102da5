"""Reads of cases: the filtered list and the timeline. Every read starts at visible_to."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from jiesu.cases import deadlines
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


def case_list(user, f: CaseFilter):
    """Visible cases matching the filter, soonest due first, then newest."""
    now = timezone.now()
    qs = Case.objects.visible_to(user).annotate(live_lamp=deadlines.live_lamp(now))
    if f.state:
        qs = qs.filter(state=f.state)
    if f.lamp:
        qs = qs.filter(deadlines.lamp_filter(f.lamp, now))
    if f.unit:
        unit = Unit.objects.filter(pk=f.unit).first()
        if unit is None:
            return qs.none()
        subtree = Unit.objects.filter(path__startswith=unit.path).values("id")
        qs = qs.filter(
            Q(lead_unit_id__in=subtree) | Q(community_id__in=subtree) | Q(co_units__in=subtree)
        ).distinct()
    if f.category:
        cat = Category.objects.filter(pk=f.category).first()
        if cat is None:
            return qs.none()
        qs = qs.filter(category__path__startswith=cat.path)
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.q:
        for word in f.q.split():
            qs = qs.filter(
                Q(title__icontains=word) | Q(content__icontains=word) | Q(platform_no=word)
            )
    return qs.select_related("category", "lead_unit", "community").order_by(
        F("current_due_at").asc(nulls_last=True), "-received_at", "-id"
    )


def timeline(case):
    return case.events.select_related("actor").order_by("at", "id")


def case_detail_queryset(user):
    return Case.objects.visible_to(user).select_related(
        "category", "lead_unit", "community", "district", "street"
    )
