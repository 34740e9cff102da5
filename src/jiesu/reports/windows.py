"""The time window of each report, with the window before it (环比) and the same window a
year earlier (同比). Every window is [start, end) in Beijing time.

- 日报 (daily): the scoring rule's daily window, ScoringRule.daily_window_hour (12:00 by
  default) of the day before to that hour of the report's date: 2026-11-30's runs from
  11-29 12:00 to 11-30 12:00.
- 周报 (weekly): Monday 00:00 to the next Monday 00:00, the week holding the date; a year
  earlier is 52 weeks earlier, so it starts on a Monday too.
- 月报 (monthly): the assessment period named by its end month (assessment.rules).
- 年报 (annual): the year of periods, 2026 being periods 2026-01 to 2026-12 (2025-12-19 to
  2026-12-19 with the default start day), so a year's figures are its twelve 月报's; its
  previous window is the year before, which is also its 同比, so it has no separate one.
- 专报 (special): any days [from, to], both whole days; the previous window is as long and
  ends where it starts; a year earlier moves both dates back a year.
- 调度会材料 (meeting): its date is the meeting's day, and it covers the last complete week
  (Monday 00:00 to Monday 00:00) before the week holding that day: a meeting on Monday
  11-30 or Friday 12-04 covers 11-23 to 11-29. Its name is that week's Monday; before and
  a year earlier go by weeks as a 周报's do.

Without a date or period, a window is the latest one already complete at `now`.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from jiesu.assessment import rules
from jiesu.assessment.models import ScoringRule
from jiesu.core.localtime import LOCAL

KINDS = {
    "daily": "日报",
    "weekly": "周报",
    "monthly": "月报",
    "annual": "年报",
    "special": "专报",
    "meeting": "调度会材料",
}


@dataclass(frozen=True)
class Window:
    kind: str
    start: dt.datetime
    end: dt.datetime  # exclusive
    name: str  # "2026-11-30", "2026-11-23", "2026-10", "2026", "2026-10-01~2026-10-07"

    @property
    def label(self) -> str:
        """The window as the report names it, e.g. 2026年10月(2026年9月19日至10月18日)."""
        span = f"{_day(self.start)}{_clock(self.start)}至{_day(self.end_shown)}{_clock(self.end)}"
        if self.kind == "monthly":
            year, month = rules.parse_period(self.name)
            return f"{year}年{month}月考核周期({span})"
        if self.kind == "annual":
            return f"{self.name}年度({span})"
        return span

    @property
    def end_shown(self) -> dt.datetime:
        """The last day of the window as people say it: 10-18 for an end at 10-19 00:00."""
        if self.end.astimezone(LOCAL).time() == dt.time.min:
            return self.end - dt.timedelta(days=1)
        return self.end

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(microseconds=1)).astimezone(LOCAL).date()

    @property
    def period(self) -> str | None:
        """The assessment period a 月报 is for."""
        return self.name if self.kind == "monthly" else None

    def rule(self) -> ScoringRule:
        """The rule the window's rates are computed under: the one in force on its last
        day (for a 月报, rules.rule_for of its period)."""
        if self.kind == "monthly":
            return rules.rule_for(self.name)
        return rules.rule_on(self.last_day)

    def previous(self) -> "Window":
        """The window just before (环比)."""
        if self.kind == "daily":
            return daily(_date(self.name) - dt.timedelta(days=1))
        if self.kind == "weekly":
            return weekly(_date(self.name) - dt.timedelta(days=7))
        if self.kind == "meeting":
            return meeting(_date(self.name))
        if self.kind == "monthly":
            return monthly(rules.shift_period(self.name, -1))
        if self.kind == "annual":
            return annual(int(self.name) - 1)
        first, last = self.start.date(), self.end_shown.date()
        length = (last - first).days + 1
        return special(first - dt.timedelta(days=length), first - dt.timedelta(days=1))

    def year_before(self) -> "Window | None":
        """The same window a year earlier (同比); None for a 年报 (its 环比 is that)."""
        if self.kind == "daily":
            return daily(_year_back(_date(self.name)))
        if self.kind == "weekly":
            return weekly(_date(self.name) - dt.timedelta(weeks=52))
        if self.kind == "meeting":
            return meeting(_date(self.name) - dt.timedelta(weeks=51))
        if self.kind == "monthly":
            return monthly(rules.shift_period(self.name, -12))
        if self.kind == "annual":
            return None
        return special(_year_back(self.start.date()), _year_back(self.end_shown.date()))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def _day(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL)
    return f"{local.year}年{local.month}月{local.day}日"


def _clock(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL)
    return "" if local.time() == dt.time.min else f"{local:%H:%M}"


def daily(day: dt.date) -> Window:
    """The daily window ending on `day` at the rule's hour."""
    hour = rules.rule_on(day).daily_window_hour
    end = _midnight(day) + dt.timedelta(hours=hour)
    before = rules.rule_on(day - dt.timedelta(days=1)).daily_window_hour
    start = _midnight(day - dt.timedelta(days=1)) + dt.timedelta(hours=before)
    return Window("daily", start, end, day.isoformat())


def weekly(day: dt.date) -> Window:
    """Monday to Monday, the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return Window(
        "weekly", _midnight(monday), _midnight(monday + dt.timedelta(days=7)), str(monday)
    )


def meeting(day: dt.date) -> Window:
    """The week a meeting on `day` looks back on: the complete week before `day`'s."""
    week = weekly(day - dt.timedelta(days=7))
    return Window("meeting", week.start, week.end, week.name)


def monthly(period: str) -> Window:
    start, end = rules.period_bounds(period)
    return Window("monthly", start, end, period)


def annual(year: int) -> Window:
    start = rules.period_bounds(f"{year:04d}-01")[0]
    end = rules.period_bounds(f"{year:04d}-12")[1]
    return Window("annual", start, end, f"{year:04d}")


def special(first: dt.date, last: dt.date) -> Window:
    if last < first:
        raise ValueError("专报的结束日期不能早于开始日期。")
    return Window(
        "special", _midnight(first), _midnight(last + dt.timedelta(days=1)), f"{first}~{last}"
    )


def window(
    kind: str,
    *,
    period: str | None = None,
    date: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Window:
    """The window of a report: `period` (a 月报's assessment period, a 年报's year), or
    the window holding `date` (a 日报's: the one ending that day; a 调度会材料's: the week
    before the meeting's), or [start, end] for a 专报; else the latest complete window at
    `now`."""
    if kind not in KINDS:
        raise ValueError(f"没有这种报告:{kind}。")
    now = (now or timezone.now()).astimezone(LOCAL)
    today = now.date()
    if kind == "special":
        if start is None or end is None:
            raise ValueError("专报须给出开始和结束日期。")
        return special(start, end)
    if kind == "daily":
        if date is not None:
            return daily(date)
        latest = daily(today)
        return latest if latest.end <= now else daily(today - dt.timedelta(days=1))
    if kind == "weekly":
        return weekly(date if date is not None else today - dt.timedelta(days=7))
    if kind == "meeting":
        return meeting(date if date is not None else today)
    if kind == "monthly":
        if period is None:
            period = rules.period_of(_midnight(date)) if date else None
        if period is None:
            period = rules.shift_period(rules.period_of(now), -1)
        return monthly(period)
    if period is not None:
        try:
            year = int(period)
        except ValueError:
            raise ValueError(f"年报的年度“{period}”应为四位年份,如 2026。") from None
    elif date is not None:
        year = int(rules.period_of(_midnight(date))[:4])
    else:
        year = int(rules.period_of(now)[:4]) - 1
    if not 2000 <= year <= 2099:
        raise ValueError(f"年报的年度“{period}”应为四位年份,如 2026。")
    return annual(year)
