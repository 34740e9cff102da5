from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jiesu.core import calendar
from jiesu.core.middleware import start_session
from jiesu.core.models import CalendarDay


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(**kwargs):
    calendar.clear_cache()


@receiver(user_logged_in)
def _session_started(request, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session(request.session)
