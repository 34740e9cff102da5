from django.utils import timezone

from jiesu.org import roster
from jiesu.org.access import TOP_KINDS, Reach
from jiesu.org.models import DutyPeriod


def on_duty(request):
    """Who is on duty now at the reader's street(s), for the line under the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reach = getattr(request, "reach", None) or Reach(user)
    if not reach.grants:
        return {}
    units = reach.units(kinds=TOP_KINDS)
    now = timezone.now()
    periods = DutyPeriod.objects.filter(
        unit__in=units,
        first_day__lte=timezone.localdate(now),
        last_day__gte=timezone.localdate(now),
    ).values_list("name", flat=True)
    return {"on_duty": list(roster.on_duty(units, now)[:12]), "key_periods": list(periods)}
