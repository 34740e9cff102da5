"""The scoring rule in force, and the assessment periods it defines.

A period is named by the month it ends in: with the default start day 19, period 2026-10
runs from 2026-09-19 00:00 to 2026-10-18 24:00. Periods are defined by their boundaries
only, one per month, so that they can neither overlap nor leave a day out:

- The boundary in a month is the first day d of that month on which the rule in force
  that day says a new period has begun, i.e. d ≥ its period_start_day (a start day beyond
  the month's length counts as the month's last day; 0 as 1). With one rule this is the
  start day itself. When a rule changing the start day takes effect during a month, the
  days before it keep the old rule: a change from 19 to 21 effective 10-15 puts the boundary
  on 10-21 (the period ending then is two days longer); a change from 21 to 19 effective
  10-20 puts it on 10-20, the day the new rule, already past its 19th, takes effect.
- Period YYYY-MM starts at the boundary of the month before (the end of the period before
  it) and ends, exclusive, at the boundary of month MM. The two boundaries lie in different
  months, so every period holds at least one day and its end follows its start.
- period_of(moment) is the period whose bounds hold the moment: the month's period before
  the month's boundary, the next month's from it on.
- rule_for(period), the rule a period's rates and score are computed under, is the one in
  force on the period's last day (the day before its end boundary): a rule that takes
  effect on a boundary day applies from the period that begins that day.
"""

import calendar
import datetime as dt

from jiesu.assessment.models import ScoringRule
from jiesu.core import versioned
from jiesu.core.localtime import LOCAL


class Periods:
    """A history of scoring rules and the periods it defines (see the module docstring)."""

    def __init__(self, rules):
        """`rules`: the rules' history (core.versioned), or a list of rules."""
        if not isinstance(rules, versioned.History):
            rules = versioned.History(ScoringRule, rules)
        self.rules = rules
        self._boundaries: dict[tuple[int, int], dt.date] = {}

    def rule_on(self, day: dt.date) -> ScoringRule:
        """The rule in force on `day`; the defaults of domain.md before any row applies."""
        return self.rules.on(day)

    def boundary(self, year: int, month: int) -> dt.date:
        """The first day of the month on which the rule in force says a period has begun."""
        key = (year, month)
        if key not in self._boundaries:
            last = calendar.monthrange(year, month)[1]
            for day in range(1, last + 1):
                date = dt.date(year, month, day)
                start = min(max(self.rule_on(date).period_start_day, 1), last)
                if day >= start:
                    self._boundaries[key] = date
                    break
        return self._boundaries[key]

    def bounds(self, name: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) of the named period, in Beijing time."""
        year, month = parse_period(name)
        prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
        start = self.boundary(prev_year, prev_month)
        end = self.boundary(year, month)
        return _midnight(start), _midnight(end)

    def period_of(self, moment: dt.datetime) -> str:
        """The name of the period a moment falls in."""
        day = moment.astimezone(LOCAL).date()
        year, month = day.year, day.month
        if day >= self.boundary(year, month):
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return f"{year:04d}-{month:02d}"

    def rule_for(self, name: str) -> ScoringRule:
        """The rule a period is computed under: the one in force on its last day."""
        end = self.bounds(name)[1].date()
        return self.rule_on(end - dt.timedelta(days=1))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL)


_held: list[Periods] = []


def _periods() -> Periods:
    """The periods of the rules in force, worked out again whenever the rules are read
    again (core.versioned)."""
    rules = versioned.history(ScoringRule)
    if not _held or _held[0].rules is not rules:
        _held[:] = [Periods(rules)]
    return _held[0]


def clear_cache() -> None:
    versioned.clear(ScoringRule)


def rule_on(day: dt.date) -> ScoringRule:
    """The rule in force on `day`; the defaults of domain.md before any row applies."""
    return versioned.in_force_on(ScoringRule, day)


def parse_period(name: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in name.split("-"))
        dt.date(year, month, 1)
        if not 2000 <= year <= 2099:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"考核周期“{name}”格式不对,应为 YYYY-MM,如 2026-10。") from None
    return year, month


def period_bounds(name: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period named by the month it ends in: with the default start
    day 19, 2026-10 runs from 2026-09-19 00:00 to 2026-10-18 24:00. A period starts where
    the one before it ends (see the module docstring for a change of start day)."""
    return _periods().bounds(name)


def rule_for(period: str) -> ScoringRule:
    """The rule a period's rates and score are computed under: the one in force on the
    period's last day (the day before its end), so a rule effective on a boundary day
    applies from the period that begins that day on, and a rule effective during a period
    applies to that whole period."""
    return _periods().rule_for(period)


def shift_period(name: str, months: int) -> str:
    """The period `months` after the named one (before it when negative)."""
    year, month = parse_period(name)
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_of(moment: dt.datetime) -> str:
    """The name of the period a moment falls in: the one whose period_bounds hold it."""
    return _periods().period_of(moment)
