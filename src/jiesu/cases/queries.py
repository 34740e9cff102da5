"""Reads of cases: filtered lists, queues and the timeline. Every read starts at visible_to."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from jiesu.cases import deadlines
from jiesu.core.scoping import reach_of

BY_DUE_TIME = (F("current_due_at").asc(nulls_last=True), "-received_at", "-id")
NEWEST_FIRST = ("-received_at", "-id")


def case_list(cases, *, ordering=BY_DUE_TIME, now: dt.datetime | None = None):
    """A list's cases: `cases` as the caller scoped and filtered them (cases.filters), each
    with its lamp at `now`, in the list's order."""
    lamp = deadlines.live_lamp(now or timezone.now())
    return (
        cases.annotate(live_lamp=lamp)
        .select_related("category", "lead_unit", "community")
        .order_by(*ordering)
    )


def timeline(case):
    return case.events.select_related("actor").order_by("at", "id")


def case_detail_queryset(reach):
    """The cases whose page the user (a Reach, or a user) may open."""
    return (
        reach_of(reach)
        .cases()
        .select_related("category", "lead_unit", "community", "district", "street")
    )
