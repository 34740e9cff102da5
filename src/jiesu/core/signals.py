import datetime as dt

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from jiesu.core import calendar
from jiesu.core.announce import calendar_years_changed
from jiesu.core.middleware import start_session
from jiesu.core.models import CalendarDay, OfficialSchedule


def _year_of(sender, row) -> int:
    if sender is OfficialSchedule:
        return int(row.year)
    day = row.date
    return day.year if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10]).year


@receiver(pre_save, sender=CalendarDay)
@receiver(pre_save, sender=OfficialSchedule)
def _calendar_row_moving(sender, instance, raw=False, **kwargs):
    """A row moved into another year changes the old year too."""
    if not raw and instance.pk is not None:
        old = sender.objects.filter(pk=instance.pk).first()
        instance._calendar_old_year = _year_of(sender, old) if old else None


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=OfficialSchedule)
def _calendar_changed(sender, instance, raw=False, **kwargs):
    """Reload the calendar, and recompute the due times of the open cases in the years
    changed (not while a backup is loaded). Days entered in a year not yet marked complete
    wait for the mark, so a case gets one timeline event, not one per day entered."""
    calendar.clear_cache()
    if raw:
        return
    years = {_year_of(sender, instance), instance.__dict__.pop("_calendar_old_year", None)}
    years.discard(None)
    if sender is CalendarDay:
        years = {y for y in years if calendar.has_official_schedule(y)}
    instance.rescheduled = calendar_years_changed(sorted(years))


@receiver(user_logged_in)
def _session_started(request, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session(request.session)
