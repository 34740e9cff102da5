"""Sending notifications outside the platform (站外通知): `plan` makes a Delivery per channel
the person wants, delayed past their quiet hours for non-urgent kinds; `send_due` (the
worker, each pass) takes the due ones and sends them, retrying with back-off. A delivery is
taken by a conditional UPDATE, so any number of workers send it once."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone

from jiesu.supervision.models import Delivery, DeliveryStatus, Notification, Preference
from jiesu.supervision.senders import SENDERS, SendFailed, Unreachable

# After the first try fails: again after 1 min, 5 min, 30 min, 2 h; then failed for good.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
# A delivery still "sending" this long after it was taken belongs to a worker that died.
STALE = dt.timedelta(minutes=10)
# A channel that fails this often in one pass waits for the next pass (a gateway that is
# down would otherwise hold the worker for a timeout per message).
PASS_FAILURES = 3
BATCH = 100


def preference_of(user) -> Preference:
    """The person's preference, or the default (e-mail only, every kind, no quiet hours)."""
    try:
        return user.notify_preference
    except Preference.DoesNotExist:
        return Preference(user=user)


def quiet_until(pref: Preference, at: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours `at` falls in (local time), or None. The hours may run
    over midnight (22:00–07:00)."""
    start, end = pref.quiet_from, pref.quiet_to
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(at)
    t = local.time()
    day = local.date()
    if start < end:
        inside = start <= t < end
    else:
        inside = t >= start or t < end
        if t >= start:
            day += dt.timedelta(days=1)
    if not inside:
        return None
    return timezone.make_aware(dt.datetime.combine(day, end), local.tzinfo)


def _when(pref: Preference, notification: Notification, at: dt.datetime) -> dt.datetime:
    if notification.urgent:
        return at
    return quiet_until(pref, at) or at


def plan(notifications: Notification | Iterable[Notification]) -> int:
    """Deliveries for new notifications, by each person's preference; returns how many
    are to be sent. A channel turned on with nowhere to send is kept as skipped, with why."""
    if isinstance(notifications, Notification):
        notifications = [notifications]
    notifications = list(notifications)
    if not notifications:
        return 0
    prefs = {
        p.user_id: p
        for p in Preference.objects.filter(user_id__in={n.user_id for n in notifications})
    }
    rows = []
    for n in notifications:
        pref = prefs.get(n.user_id) or Preference(user_id=n.user_id)
        if n.kind in (pref.kinds_off or []):
            continue
        at = _when(pref, n, n.created_at)
        for channel in pref.channels():
            row = Delivery(notification=n, channel=channel, next_try_at=at)
            try:
                SENDERS[channel].address(row)
            except Unreachable as e:
                if pref.pk is None:  # the default (e-mail) with no address: nothing to keep
                    continue
                row.status, row.last_error = DeliveryStatus.SKIPPED, str(e)
            rows.append(row)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return sum(r.status == DeliveryStatus.PENDING for r in rows)


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take a due delivery (pending → sending); False when another worker has it."""
    taken = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_try_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return taken == 1


def release_stale(now: dt.datetime) -> int:
    """Deliveries left "sending" by a worker that died go back to the queue. The gateway
    gets the same request id and the mail the same Message-ID, so a repeat can be dropped."""
    return Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE
    ).update(status=DeliveryStatus.PENDING, next_try_at=now, last_error="上次发送中断")


def send_due(now: dt.datetime | None = None, *, limit: int | None = None) -> dict:
    """Send the deliveries due at `now`; returns {"sent": n, "retry": n, "failed": n}."""
    now = now or timezone.now()
    release_stale(now)
    done = {"sent": 0, "retry": 0, "failed": 0}
    seen: set[int] = set()
    failures: dict[str, int] = {}
    while limit is None or sum(done.values()) < limit:
        resting = [c for c, n in failures.items() if n >= PASS_FAILURES]
        due = list(
            Delivery.objects.filter(status=DeliveryStatus.PENDING, next_try_at__lte=now)
            .exclude(pk__in=seen)
            .exclude(channel__in=resting)
            .order_by("next_try_at", "id")
            .values_list("pk", "channel")[:BATCH]
        )
        if not due:
            break
        for pk, channel in due:
            seen.add(pk)
            if failures.get(channel, 0) >= PASS_FAILURES or not claim(pk, now):
                continue
            outcome = _send(pk, now)
            done[outcome] += 1
            if outcome != "sent":
                failures[channel] = failures.get(channel, 0) + 1
            if limit is not None and sum(done.values()) >= limit:
                break
    return done


def _send(pk: int, now: dt.datetime) -> str:
    delivery = Delivery.objects.select_related(
        "notification__user__notify_preference", "notification__case"
    ).get(pk=pk)
    sender = SENDERS[delivery.channel]
    try:
        to = sender.send(delivery)
    except SendFailed as e:
        return _failed(delivery, now, str(e)[:200], final=isinstance(e, Unreachable))
    except Exception as e:  # a sender's bug must not stop the others
        return _failed(delivery, now, f"发送出错:{type(e).__name__}", final=False)
    tries = [*delivery.tries, {"at": now.isoformat(), "result": "已发送"}]
    Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=now, to=to[:254], last_error="", tries=tries
    )
    return "sent"


def _failed(delivery: Delivery, now: dt.datetime, error: str, *, final: bool) -> str:
    tries = [*delivery.tries, {"at": now.isoformat(), "result": error}]
    n = delivery.attempts  # counted when taken
    if final or n > len(BACKOFF):
        status, at, outcome = DeliveryStatus.FAILED, delivery.next_try_at, "failed"
    else:
        pref = getattr(delivery.notification.user, "notify_preference", None)
        at = now + BACKOFF[n - 1]
        if pref is not None:
            at = _when(pref, delivery.notification, at)
        status, outcome = DeliveryStatus.PENDING, "retry"
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status, next_try_at=at, last_error=error, tries=tries
    )
    return outcome
