"""Assessment periods stay whole when a scoring rule changes the start day: every day in
exactly one period, consecutive periods touching, none empty or inverted."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from jiesu.assessment import rules
from jiesu.assessment.models import ScoringRule
from jiesu.assessment.queries import scores
from jiesu.assessment.rules import LOCAL, Periods
from tests.conftest import at

FIRST, LAST = dt.date(2025, 10, 1), dt.date(2027, 3, 31)

history = st.lists(
    st.tuples(
        # effective dates anywhere in the range, mid-month included, and on month ends
        st.dates(min_value=dt.date(2025, 8, 1), max_value=dt.date(2027, 3, 31)),
        st.integers(min_value=1, max_value=28),
    ),
    max_size=8,
    unique_by=lambda r: r[0],
)


def periods_of(rows) -> Periods:
    return Periods([ScoringRule(effective_from=day, period_start_day=s) for day, s in rows])


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL)


@settings(max_examples=300, deadline=None)
@given(rows=history)
def test_every_day_lies_in_the_bounds_of_its_period(rows):
    p = periods_of(rows)
    day = FIRST
    while day <= LAST:
        for moment in (midnight(day), midnight(day) + dt.timedelta(hours=23, minutes=59)):
            start, end = p.bounds(p.period_of(moment))
            assert start <= moment < end, (day, rows)
        day += dt.timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(rows=history)
def test_consecutive_periods_touch_and_none_is_empty(rows):
    p = periods_of(rows)
    period, last = p.period_of(midnight(FIRST)), p.period_of(midnight(LAST))
    while period != last:
        start, end = p.bounds(period)
        assert start < end, (period, rows)
        # the period is the one of its first and of its last moment
        assert p.period_of(start) == period == p.period_of(end - dt.timedelta(seconds=1))
        following = rules.shift_period(period, 1)
        assert p.bounds(following)[0] == end, (period, rows)
        period = following


def test_a_mid_month_change_of_start_day_by_hand(db):
    """19 until 2026-10-14, 21 from 2026-10-15: the old code ended 2026-10 on 10-19 (the
    rule of 10-01) and began 2026-11 on 10-21 (the rule of 11-01), while period_of put 10-19
    and 10-20 in 2026-10: two days in no period's bounds."""
    ScoringRule.objects.create(effective_from=dt.date(2026, 10, 15), period_start_day=21)
    assert rules.period_bounds("2026-10") == (at("2026-09-19 00:00"), at("2026-10-21 00:00"))
    assert rules.period_bounds("2026-11") == (at("2026-10-21 00:00"), at("2026-11-21 00:00"))
    assert rules.period_bounds("2026-09") == (at("2026-08-19 00:00"), at("2026-09-19 00:00"))
    for moment, period in (
        ("2026-10-18 23:59", "2026-10"),
        ("2026-10-19 00:00", "2026-10"),
        ("2026-10-20 23:59", "2026-10"),
        ("2026-10-21 00:00", "2026-11"),
    ):
        assert rules.period_of(at(moment)) == period, moment
    # the rule in force on the period's last day (10-20) computes it
    assert rules.rule_for("2026-10").period_start_day == 21
    assert rules.rule_for("2026-09").period_start_day == 19


def test_a_change_to_an_earlier_day_takes_effect_the_day_it_starts(db):
    """21 until 2026-10-19, 19 from 2026-10-20: on 10-19 the old rule (21) still holds, on
    10-20 the new one, already past its 19th, begins the next period."""
    ScoringRule.objects.create(effective_from=dt.date(2026, 1, 1), period_start_day=21)
    ScoringRule.objects.create(effective_from=dt.date(2026, 10, 20), period_start_day=19)
    assert rules.period_bounds("2026-10") == (at("2026-09-21 00:00"), at("2026-10-20 00:00"))
    assert rules.period_bounds("2026-11") == (at("2026-10-20 00:00"), at("2026-11-19 00:00"))
    assert rules.period_of(at("2026-10-19 12:00")) == "2026-10"
    assert rules.period_of(at("2026-10-20 00:00")) == "2026-11"
    # 10-19 is 2026-10's last day: the old rule; the new one from 2026-11 on
    assert rules.rule_for("2026-10").period_start_day == 21
    assert rules.rule_for("2026-11").period_start_day == 19


def test_a_rule_effective_on_a_boundary_applies_from_the_period_it_begins(db):
    ScoringRule.objects.create(effective_from=dt.date(2026, 10, 19), basic_satisfied_coef="0.5")
    assert rules.rule_for("2026-10") == rules.rule_on(dt.date(2026, 10, 18))
    assert rules.rule_for("2026-10").basic_satisfied_coef == Decimal("0.9")
    assert rules.rule_for("2026-11").basic_satisfied_coef == Decimal("0.5")


def test_cases_on_the_moved_days_are_scored(org, closed_case):
    ScoringRule.objects.create(effective_from=dt.date(2026, 10, 15), period_start_day=21)
    on_moved_day = closed_case("hly", when="2026-10-20 09:00", valid=True)
    closed_case("hly", when="2026-10-21 09:00", valid=True)
    october = scores("2026-10", org["street"])
    hly = next(r for r in october["rows"] if r["unit"]["name"] == "华龙苑南里社区")
    assert (hly["received"], hly["valid"]) == (1, 1)
    assert october["end"] == "2026-10-21T00:00:00+08:00"
    assert rules.period_of(on_moved_day.received_at) == "2026-10"
    november = scores("2026-11", org["street"])
    assert (
        next(r for r in november["rows"] if r["unit"]["name"] == "华龙苑南里社区")["received"] == 1
    )


def test_a_start_day_beyond_the_month_is_its_last_day():
    p = periods_of([(dt.date(2026, 1, 1), 31)])
    assert p.bounds("2026-03")[0] == midnight(dt.date(2026, 2, 28))
    assert p.bounds("2026-03")[1] == midnight(dt.date(2026, 3, 31))
    assert p.period_of(midnight(dt.date(2026, 2, 28))) == "2026-03"
