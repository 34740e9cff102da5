"""Report windows, worked out by hand: 日报 at the rule's hour, 周报 Monday to Monday, 月报 the
assessment period, 年报 the year of periods, 专报 any days; each with its 环比 and 同比."""

import datetime as dt

import pytest

from jiesu.assessment import rules
from jiesu.assessment.models import ScoringRule
from jiesu.reports import windows
from tests.conftest import at

D = dt.date


def bounds(w):
    return (w.start, w.end)


def test_daily_runs_noon_to_noon_ending_on_its_date(db):
    w = windows.daily(D(2026, 11, 30))
    assert bounds(w) == (at("2026-11-29 12:00"), at("2026-11-30 12:00"))
    assert bounds(w.previous()) == (at("2026-11-28 12:00"), at("2026-11-29 12:00"))
    assert bounds(w.year_before()) == (at("2025-11-29 12:00"), at("2025-11-30 12:00"))
    assert w.label == "2026年11月29日12:00至2026年11月30日12:00"
    # across a month: the window ending on the 1st starts on the last day of the month before
    assert bounds(windows.daily(D(2026, 12, 1))) == (at("2026-11-30 12:00"), at("2026-12-01 12:00"))
    # 29 February has no day a year earlier: the 28th's window
    assert windows.daily(D(2028, 2, 29)).year_before().name == "2027-02-28"


def test_the_latest_daily_window_turns_at_noon(db):
    at_noon = windows.window("daily", now=at("2026-11-30 12:00"))
    assert at_noon.end == at("2026-11-30 12:00")
    before_noon = windows.window("daily", now=at("2026-11-30 11:59"))
    assert bounds(before_noon) == (at("2026-11-28 12:00"), at("2026-11-29 12:00"))
    assert windows.window("daily", date=D(2026, 11, 30), now=at("2026-11-30 08:00")).name == (
        "2026-11-30"
    )


def test_daily_window_follows_the_rule_in_force(db):
    ScoringRule.objects.create(effective_from=D(2026, 3, 1), daily_window_hour=8)
    rules.clear_cache()
    assert bounds(windows.daily(D(2026, 3, 2))) == (at("2026-03-01 08:00"), at("2026-03-02 08:00"))
    # the day the rule changes: from the old rule's 12:00 the day before to the new 08:00
    assert bounds(windows.daily(D(2026, 3, 1))) == (at("2026-02-28 12:00"), at("2026-03-01 08:00"))


def test_weekly_runs_monday_to_monday(db):
    w = windows.weekly(D(2026, 12, 2))  # a Wednesday
    assert bounds(w) == (at("2026-11-30 00:00"), at("2026-12-07 00:00"))
    assert bounds(w.previous()) == (at("2026-11-23 00:00"), at("2026-11-30 00:00"))
    # 52 weeks earlier, a Monday too
    assert bounds(w.year_before()) == (at("2025-12-01 00:00"), at("2025-12-08 00:00"))
    assert w.label == "2026年11月30日至2026年12月6日"
    # without a date: the last complete week
    assert windows.window("weekly", now=at("2026-12-02 10:00")).name == "2026-11-23"
    # a Sunday 23:59 is still in its week
    assert windows.weekly(D(2026, 12, 6)).name == "2026-11-30"


def test_monthly_is_the_assessment_period_across_two_months(db):
    w = windows.monthly("2026-10")
    assert bounds(w) == (at("2026-09-19 00:00"), at("2026-10-19 00:00"))
    assert bounds(w.previous()) == (at("2026-08-19 00:00"), at("2026-09-19 00:00"))
    assert bounds(w.year_before()) == (at("2025-09-19 00:00"), at("2025-10-19 00:00"))
    assert w.label == "2026年10月考核周期(2026年9月19日至2026年10月18日)"
    assert w.period == "2026-10"
    assert bounds(windows.monthly("2026-01")) == (at("2025-12-19 00:00"), at("2026-01-19 00:00"))
    # the latest complete period on 11-30 is 2026-11 (10-19 to 11-19); a date names its period
    assert windows.window("monthly", now=at("2026-11-30 10:00")).name == "2026-11"
    assert windows.window("monthly", date=D(2026, 10, 19)).name == "2026-11"
    assert windows.window("monthly", date=D(2026, 10, 18)).name == "2026-10"


def test_annual_is_the_year_of_periods(db):
    w = windows.annual(2026)
    assert bounds(w) == (at("2025-12-19 00:00"), at("2026-12-19 00:00"))
    assert w.previous().name == "2025"
    assert w.year_before() is None
    assert windows.window("annual", now=at("2026-11-30 10:00")).name == "2025"
    assert windows.window("annual", period="2026").name == "2026"
    with pytest.raises(ValueError):
        windows.window("annual", period="26x")


def test_special_is_any_days_with_an_equal_window_before(db):
    w = windows.special(D(2026, 10, 1), D(2026, 10, 7))
    assert bounds(w) == (at("2026-10-01 00:00"), at("2026-10-08 00:00"))
    assert bounds(w.previous()) == (at("2026-09-24 00:00"), at("2026-10-01 00:00"))
    assert bounds(w.year_before()) == (at("2025-10-01 00:00"), at("2025-10-08 00:00"))
    assert windows.special(D(2026, 10, 1), D(2026, 10, 1)).end == at("2026-10-02 00:00")
    with pytest.raises(ValueError):
        windows.special(D(2026, 10, 7), D(2026, 10, 1))
    with pytest.raises(ValueError):
        windows.window("special", start=D(2026, 10, 1))
    with pytest.raises(ValueError):
        windows.window("quarterly")
