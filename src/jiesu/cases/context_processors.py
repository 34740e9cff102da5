from django.conf import settings

from jiesu.audit import alerts
from jiesu.audit import queries as audit_queries
from jiesu.cases import queues
from jiesu.org.access import DESK_ROLES, Reach
from jiesu.org.models import Role, UnitKind


def navigation(request):
    """The user's queues, for the navigation (counts arrive by HTMX)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reach = getattr(request, "reach", None) or Reach(user)
    audit_admin = audit_queries.is_audit_admin(user)
    return {
        "nav_audit": audit_admin or bool(audit_queries.led_paths(user)),
        "nav_audit_alerts": alerts.recent_count() if audit_admin else 0,
        "nav_queues": queues.queues_for(reach),
        "poll_seconds": settings.JIESU_POLL_SECONDS,
        "is_leader": reach.holds(Role.LEADER),
        "is_desk": reach.holds(*DESK_ROLES, kinds=(UnitKind.STREET,)),
    }
