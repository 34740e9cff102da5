from django.utils import timezone

from jiesu.org import roster
from jiesu.org.access import TOP_KINDS, Reach


def on_duty(request):
    """Who is on duty now at the reader's street(s), for the line under the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reach = getattr(request, "reach", None) or Reach(user)
    if not reach.grants:
        return {}
    return {"on_duty": list(roster.on_duty(reach.units(kinds=TOP_KINDS), timezone.now())[:12])}
