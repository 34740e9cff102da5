"""Working days on the official Chinese calendar, including 调休 make-up workdays.

chinese-calendar covers its years; the CalendarDay table extends and overrides it. A year
counts as officially scheduled when the library covers it, or when an administrator has
entered its days and marked its official schedule complete (an OfficialSchedule row): a few
days entered do not make a year scheduled.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar

from jiesu.core.caching import refreshed


@refreshed
def _overrides() -> tuple[dict[dt.date, bool], frozenset[int]]:
    """The entered days, and the years marked complete."""
    from jiesu.core.models import CalendarDay, DayKind, OfficialSchedule

    days = {d.date: d.kind == DayKind.WORKDAY for d in CalendarDay.objects.all()}
    return days, frozenset(OfficialSchedule.objects.values_list("year", flat=True))


def clear_cache() -> None:
    _overrides.cache_clear()
    _library_is_workday.cache_clear()


def _library_years() -> range:
    years = sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )
    return range(years[0], years[-1] + 1)


LIBRARY_YEARS = _library_years()


@lru_cache(maxsize=8192)
def _library_is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


def has_official_schedule(year: int) -> bool:
    """The library covers the year, or its schedule was entered and marked complete."""
    return year in LIBRARY_YEARS or year in _overrides()[1]


def is_workday(day: dt.date) -> bool:
    overrides, _ = _overrides()
    if day in overrides:
        return overrides[day]
    if day.year in LIBRARY_YEARS:
        return _library_is_workday(day)
    return day.weekday() < 5


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n ≥ 1)."""
    current = day
    counted = 0
    while counted < n:
        current += dt.timedelta(days=1)
        if is_workday(current):
            counted += 1
    return current


def mark_complete(year: int, *, notice: str, notice_date: dt.date, by=None):
    """Mark `year`'s official schedule as entered in full, as the admin page 官方放假安排
    does; saving recomputes the open cases in that year (core.signals), and the row's
    `rescheduled` says how many changed. Raises ValidationError (no day of the year
    entered, bad values)."""
    from django.utils import timezone

    from jiesu.core.models import OfficialSchedule

    row = OfficialSchedule.objects.filter(year=year).first() or OfficialSchedule(year=year)
    row.notice, row.notice_date = notice, notice_date
    row.marked_by, row.marked_at = by, timezone.now()
    row.full_clean()
    row.save()
    return row
