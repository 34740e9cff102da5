from django.conf import settings

from jiesu.audit import alerts
from jiesu.audit import queries as audit_queries
from jiesu.cases import queues
from jiesu.org.models import Role, UnitKind
from jiesu.org.queries import grants_of


def navigation(request):
    """The user's queues, for the navigation (counts arrive by HTMX)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    audit_admin = audit_queries.is_audit_admin(user)
    return {
        "nav_audit": audit_admin or bool(audit_queries.led_paths(user)),
        "nav_audit_alerts": alerts.recent_count() if audit_admin else 0,
        "nav_queues": queues.queues_for(user),
        "poll_seconds": settings.JIESU_POLL_SECONDS,
        "is_leader": any(g.role == Role.LEADER for g in grants_of(user)),
        "is_desk": any(
            g.role in (Role.LEADER, Role.OPERATOR) and g.kind == UnitKind.STREET
            for g in grants_of(user)
        ),
    }
