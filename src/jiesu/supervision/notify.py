"""Telling people (通知): `notify()` is the one way a notification is made. Each event has
a key; a person is told of it once (a unique (key, user) row), however many workers or
retries see the event. Texts never carry personal data: a case is named by its number."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.supervision import deliveries
from jiesu.supervision.models import URGENT_KINDS, Notification

TEXT_MAX = 500


def notify(kind: str, users, *, text: str, key: str, case=None, at: dt.datetime | None = None):
    """Tell `users` of one event; returns how many were told now (not before)."""
    users = list(users)
    if not users:
        return 0
    told = set(
        Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True)
    )
    rows = [
        Notification(
            user=u,
            kind=kind,
            case=case,
            text=text[:TEXT_MAX],
            urgent=kind in URGENT_KINDS,
            key=key[:120],
            created_at=at or timezone.now(),
        )
        for u in users
        if u.pk not in told
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:  # sent outside too, as each person wants (bulk_create gave no ids)
        deliveries.plan(
            Notification.objects.filter(
                key=key[:120], user__in=[r.user for r in rows]
            ).select_related("user__notify_preference")
        )
    return len(rows)


def of(user) -> QuerySet:
    """A person's notifications, newest first."""
    return Notification.objects.filter(user=user).select_related("case")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def mark_read(user, ids=None, *, at: dt.datetime | None = None) -> int:
    """Mark the person's notifications read (those of `ids`, or all)."""
    rows = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=at or timezone.now())
