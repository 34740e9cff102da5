from django.conf import settings

from jiesu.cases import queues


def navigation(request):
    """The user's queues, for the navigation (counts arrive by HTMX)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_queues": queues.queues_for(user), "poll_seconds": settings.JIESU_POLL_SECONDS}
