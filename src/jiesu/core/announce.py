"""What core announces for the apps above it to act on; core itself knows no domain app.

- `security_event`: a security fact to keep (a wrong second-factor code, a lockout lifted).
  Sent with `kind` (an audit kind's value) and the keywords of `audit.log.record`; the
  audit app records it in the sender's transaction.
- `calendar_changed`: the official calendar of some years changed. Sent with `years`;
  each receiver returns how many cases it changed (cases recomputes due times).
"""

from django.dispatch import Signal

security_event = Signal()
calendar_changed = Signal()


def security(kind: str, **fields) -> None:
    """Announce a security fact; refuses to pass silently when nobody records it."""
    if not security_event.receivers:
        raise RuntimeError("no recorder for security events (is jiesu.audit installed?)")
    security_event.send(sender=None, kind=kind, **fields)


def calendar_years_changed(years) -> int:
    """Announce changed calendar years; the number of cases the receivers changed."""
    return sum(int(count or 0) for _, count in calendar_changed.send(sender=None, years=years))
