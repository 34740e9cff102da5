"""The reveal alert: someone viewing more personal data in an hour than the office allows."""

import datetime as dt

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone

from jiesu.audit.models import AuditEvent, Kind

WINDOW = dt.timedelta(hours=1)


def check_reveals(user, *, at: dt.datetime) -> AuditEvent | None:
    """After a reveal at `at`: one `alert` row when the user's reveals in the hour up to
    `at` exceed JIESU_REVEAL_ALERT_PER_HOUR, unless one was written in that hour already."""
    from jiesu.audit.log import record
    from jiesu.core.models import PiiAccess

    limit = settings.JIESU_REVEAL_ALERT_PER_HOUR
    count = PiiAccess.objects.filter(user=user, at__gt=at - WINDOW, at__lte=at).count()
    if count <= limit:
        return None
    if AuditEvent.objects.filter(kind=Kind.ALERT, actor=user, at__gt=at - WINDOW).exists():
        return None
    message = f"{user.get_username()} 在一小时内查看个人信息 {count} 次,超过 {limit} 次的告警线。"
    event = record(Kind.ALERT, user=user, reveals=count, limit=limit, message=message)
    if settings.ADMINS:
        transaction.on_commit(
            lambda: mail_admins("个人信息查看异常告警", message, fail_silently=True)
        )
    return event


def recent_count(now: dt.datetime | None = None) -> int:
    """Alerts in the last 24 hours, for the administrators' header."""
    since = (now or timezone.now()) - dt.timedelta(hours=24)
    return AuditEvent.objects.filter(kind=Kind.ALERT, at__gte=since).count()
