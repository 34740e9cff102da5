"""The scoring rule in force, and the assessment periods it defines."""

import bisect
import datetime as dt
from zoneinfo import ZoneInfo

from jiesu.assessment.models import ScoringRule
from jiesu.core.caching import refreshed

LOCAL = ZoneInfo("Asia/Shanghai")


@refreshed
def _rules() -> tuple[list[dt.date], list[ScoringRule]]:
    rows = list(ScoringRule.objects.order_by("effective_from"))
    return [r.effective_from for r in rows], rows


def clear_cache() -> None:
    _rules.cache_clear()


def rule_on(day: dt.date) -> ScoringRule:
    """The rule in force on `day`; the defaults of domain.md before any row applies."""
    dates, rows = _rules()
    i = bisect.bisect_right(dates, day)
    return rows[i - 1] if i else ScoringRule(effective_from=dt.date.min)


def parse_period(name: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in name.split("-"))
        dt.date(year, month, 1)
        if not 2000 <= year <= 2099:
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(f"考核周期“{name}”格式不对,应为 YYYY-MM,如 2026-10。") from None
    return year, month


def period_bounds(name: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period named by the month it ends in: with the default start
    day 19, 2026-10 runs from 2026-09-19 00:00 to 2026-10-18 24:00."""
    year, month = parse_period(name)
    rule = rule_on(dt.date(year, month, 1))
    prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
    start = dt.datetime(prev_year, prev_month, rule.period_start_day, tzinfo=LOCAL)
    end = dt.datetime(year, month, rule.period_start_day, tzinfo=LOCAL)
    return start, end


def rule_for(period: str) -> ScoringRule:
    """The rule a period is computed under: the one in force when it ends."""
    return rule_on(period_bounds(period)[1].date())


def shift_period(name: str, months: int) -> str:
    """The period `months` after the named one (before it when negative)."""
    year, month = parse_period(name)
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_of(moment: dt.datetime) -> str:
    """The name of the period a moment falls in."""
    local = moment.astimezone(LOCAL)
    rule = rule_on(local.date())
    year, month = local.year, local.month
    if local.day >= rule.period_start_day:
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return f"{year:04d}-{month:02d}"
