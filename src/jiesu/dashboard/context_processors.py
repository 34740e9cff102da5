from jiesu.dashboard.queries import lands_here
from jiesu.org.access import Reach


def navigation(request):
    """Whether the navigation offers the dashboard: to the roles that land on it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_dashboard": lands_here(getattr(request, "reach", None) or Reach(user))}
