"""`record()`: the one writer of the audit log, and what it reads from the request."""

import getpass
import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jiesu.audit import chain
from jiesu.audit.models import AuditEvent, Kind

# The request being served, so signal handlers know who did what (set by the middleware).
current_request: ContextVar = ContextVar("jiesu_audit_request", default=None)

# Any 64-bit number, the same in every process: PostgreSQL's lock that orders the appends.
ADVISORY_LOCK = 0x6A69657375  # "jiesu"
USER_AGENT_MAX = 300
REPR_MAX = 200


def client_ip(request) -> str:
    """The client's address: the peer, or the X-Forwarded-For address the peer reports
    when the peer is one of JIESU_TRUSTED_PROXIES."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer and _trusted(peer):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        # walk back from the nearest hop: the first one we do not run is the client
        for hop in reversed(hops):
            address = _address(hop)
            if not address:
                break
            if not _trusted(address):
                return address
            peer = address
    return peer


def _address(text: str) -> str:
    try:
        return ipaddress.ip_address(text.strip()).compressed
    except ValueError:
        return ""


def _trusted(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    for network in settings.JIESU_TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _roles(user) -> str:
    from jiesu.org.access import Reach
    from jiesu.org.models import Role, Unit

    grants = Reach(user).grants
    names = dict(Unit.objects.filter(pk__in={g.unit_id for g in grants}).values_list("id", "name"))
    return ",".join(
        sorted(f"{Role(g.role).label}@{names.get(g.unit_id, g.unit_id)}" for g in grants)
    )


def _target(target) -> dict:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_repr": str(target)[:REPR_MAX],
    }


def record(
    kind: str, *, request=None, user=None, target=None, username: str = "", **detail
) -> AuditEvent:
    """Append one audit row, in the caller's transaction, after the last one.

    `request` defaults to the request being served; `user` to its user. Outside a request
    (commands, the worker) the actor is the operating-system user, as "命令行:name".
    `username` names the account when there is no user (a failed login, a lockout).
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown audit kind {kind!r}")
    request = request if request is not None else current_request.get()
    if user is None and not username and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    values = {
        "actor_id": user.pk if user else None,
        "actor_username": (user.get_username() if user else (username or _anonymous(request)))[
            :150
        ],
        "actor_roles": _roles(user)[:300] if user else "",
        "ip": client_ip(request) if request is not None else "",
        "user_agent": (request.META.get("HTTP_USER_AGENT", "") if request else "")[:USER_AGENT_MAX],
        "kind": kind,
        "detail": chain.plain_json(detail),
        **_target(target),
    }
    with transaction.atomic():
        _lock()
        last = AuditEvent.objects.order_by("-id").values("id", "hash", "at").first()
        values["id"] = last["id"] + 1 if last else 1
        values["prev_hash"] = last["hash"] if last else chain.GENESIS
        # never before the previous row, even if the clock steps back: id order is time order
        values["at"] = max(timezone.now(), last["at"]) if last else timezone.now()
        event = AuditEvent(hash=chain.digest(values), **values)
        event.save()
    return event


def _anonymous(request) -> str:
    if request is not None:
        return ""
    try:
        return f"命令行:{getpass.getuser()}"
    except (KeyError, OSError):
        return "命令行"


def _lock() -> None:
    """Appends one at a time, until the transaction ends. SQLite needs nothing more: the
    settings begin every transaction IMMEDIATE, which takes the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def exported(request, what: str, count: int, **filters) -> AuditEvent:
    """Record one export: what was exported, how many rows, with which filter."""
    clean = {k: v for k, v in filters.items() if v not in (None, "", [], {})}
    return record(Kind.EXPORT, request=request, what=what, count=count, filters=clean)
