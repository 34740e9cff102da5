from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jiesu.core import calendar
from jiesu.core.models import CalendarDay


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(**kwargs):
    calendar.clear_cache()
