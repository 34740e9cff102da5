"""Working days on the official Chinese calendar, including 调休 make-up workdays.

chinese-calendar covers its years; the CalendarDay table extends and overrides it. A year
counts as officially scheduled when the library covers it or the table has a day in it.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar

from jiesu.core.caching import refreshed


@refreshed
def _overrides() -> tuple[dict[dt.date, bool], frozenset[int]]:
    from jiesu.core.models import CalendarDay, DayKind

    days = {d.date: d.kind == DayKind.WORKDAY for d in CalendarDay.objects.all()}
    return days, frozenset(d.year for d in days)


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
