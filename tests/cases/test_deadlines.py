"""Deadline arithmetic: hand-computed cases around the official holidays, and properties."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiesu.cases import deadlines
from jiesu.cases.deadlines import LOCAL, Limit, add_limit
from jiesu.cases.models import DayMode, DeadlinePolicy, Lamp, Urgency
from jiesu.core import calendar
from jiesu.core.models import CalendarDay, DayKind
from tests.conftest import at

pytestmark = pytest.mark.django_db
WORKING = DayMode.WORKING


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # 2025 国庆: 10-01..10-08 off, Saturday 10-11 a make-up workday
        ("2025-09-30 10:00", 7, "2025-10-16 10:00"),
        # 2026 春节: 02-15..02-23 off, Saturday 02-14 a make-up workday
        ("2026-02-13 16:00", 5, "2026-02-27 16:00"),
        # 2026 国庆: 10-01..10-07 off, Saturday 10-10 a make-up workday
        ("2026-09-30 09:00", 3, "2026-10-10 09:00"),
        # 2025 春节: 01-28..02-04 off
        ("2025-01-27 11:00", 2, "2025-02-06 11:00"),
        # received on a holiday: counting starts with the next working day
        ("2025-10-03 20:00", 1, "2025-10-09 20:00"),
    ],
)
def test_working_days_follow_the_official_calendar(received, days, due):
    assert add_limit(at(received), Limit(days=days), WORKING) == (at(due), False)


def test_natural_days_ignore_holidays():
    assert add_limit(at("2025-09-30 10:00"), Limit(days=7), DayMode.NATURAL) == (
        at("2025-10-07 10:00"),
        False,
    )


def test_hour_limits_run_on_natural_time_even_in_working_day_mode():
    assert add_limit(at("2025-10-01 23:00"), Limit(hours=24), WORKING) == (
        at("2025-10-02 23:00"),
        False,
    )


def test_a_year_without_official_schedule_is_flagged_until_marked_complete():
    # 2027 is beyond chinese-calendar: weekends only, and flagged
    assert add_limit(at("2027-01-29 10:00"), Limit(days=3), WORKING) == (
        at("2027-02-03 10:00"),
        True,
    )
    assert not calendar.has_official_schedule(2027)
    for day in (1, 2, 3):
        CalendarDay.objects.create(
            date=dt.date(2027, 2, day), kind=DayKind.HOLIDAY, name="测试假期"
        )
    CalendarDay.objects.create(date=dt.date(2027, 2, 6), kind=DayKind.WORKDAY, name="测试调休")
    # the days entered count at once, but a few days are not the year's schedule
    assert not calendar.has_official_schedule(2027)
    assert add_limit(at("2027-01-29 10:00"), Limit(days=3), WORKING) == (
        at("2027-02-06 10:00"),
        True,
    )
    calendar.mark_complete(2027, notice="测试通知", notice_date=dt.date(2026, 12, 1))
    assert calendar.has_official_schedule(2027)
    assert add_limit(at("2027-01-29 10:00"), Limit(days=3), WORKING) == (
        at("2027-02-06 10:00"),
        False,
    )


def test_a_year_cannot_be_marked_complete_with_no_day_entered():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        calendar.mark_complete(2028, notice="测试通知", notice_date=dt.date(2027, 12, 1))
    assert "2028年还没有录入任何放假日或调休上班日" in str(err.value)
    assert not calendar.has_official_schedule(2028)


def test_the_table_overrides_the_library():
    assert calendar.is_workday(dt.date(2026, 3, 2))
    CalendarDay.objects.create(date=dt.date(2026, 3, 2), kind=DayKind.HOLIDAY, name="临时调整")
    assert not calendar.is_workday(dt.date(2026, 3, 2))


def test_a_deadline_spanning_into_an_unscheduled_year_is_flagged():
    due, unscheduled = add_limit(at("2026-12-28 09:00"), Limit(days=7), WORKING)
    assert due.year == 2027
    assert unscheduled


def test_urgency_defaults_and_the_platform_limit(make_case):
    assert make_case(urgency=Urgency.EMERGENCY).due_at == at("2026-03-02 11:00")
    assert make_case(urgency=Urgency.UTILITY).due_at == at("2026-03-03 09:00")
    assert make_case(urgency=Urgency.ORDINARY).due_at == at("2026-03-09 09:00")
    assert make_case(urgency=Urgency.COMPLEX).due_at == at("2026-03-17 09:00")
    # the case's own limit wins over the urgency default
    assert make_case(urgency=Urgency.COMPLEX, limit_hours=48).due_at == at("2026-03-04 09:00")
    assert make_case(platform_due_at=at("2026-03-05 18:00")).due_at == at("2026-03-05 18:00")


def test_stage_deadlines_at_intake(make_case):
    case = make_case()
    assert case.sign_due_at == at("2026-03-02 09:30")
    assert case.return_due_at == at("2026-03-02 11:00")


def test_lamp_turns_yellow_at_75_percent_and_red_when_overdue(dispatched):
    # received 03-02 09:00, due 03-09 09:00: 75 % of 168 h is 126 h → 03-07 15:00
    assert deadlines.clock_fields(dispatched, at("2026-03-07 14:59"))["lamp"] == Lamp.GREEN
    assert deadlines.clock_fields(dispatched, at("2026-03-07 15:00"))["lamp"] == Lamp.YELLOW
    assert deadlines.clock_fields(dispatched, at("2026-03-09 09:00"))["lamp"] == Lamp.YELLOW
    assert deadlines.clock_fields(dispatched, at("2026-03-09 09:01"))["lamp"] == Lamp.RED


def test_supervision_nodes_after_dispatch():
    assert deadlines.supervision_nodes(at("2026-03-02 09:40")) == [
        at("2026-03-02 11:40"),
        at("2026-03-03 09:40"),
        at("2026-03-09 09:40"),
    ]


def test_policy_is_versioned_by_effective_date(make_case):
    DeadlinePolicy.objects.create(
        effective_from=dt.date(2026, 6, 1),
        sign_minutes=15,
        ordinary_days=5,
        day_mode=WORKING,
        supervision_hours=[2, 24, 168],
    )
    before = make_case(received_at=at("2026-05-29 09:00"))
    after = make_case(received_at=at("2026-05-29 09:00") + dt.timedelta(days=3))  # Mon 06-01
    assert before.sign_due_at == at("2026-05-29 09:30")
    assert before.due_at == at("2026-06-05 09:00")  # 7 natural days
    assert after.sign_due_at == at("2026-06-01 09:15")
    assert after.due_at == at("2026-06-08 09:00")  # 5 working days


def test_extension_moves_the_due_time_and_keeps_the_original(dispatched, people):
    from jiesu.cases import workflow

    workflow.request_extension(
        dispatched,
        by=people["shequ"],
        until=at("2026-03-16 18:00"),
        reason="需协调物业",
        at=at("2026-03-05 10:00"),
    )
    workflow.approve_extension(dispatched, by=people["zuzhang"], at=at("2026-03-05 11:00"))
    dispatched.refresh_from_db()
    assert dispatched.due_at == at("2026-03-16 18:00")
    assert dispatched.original_due_at == at("2026-03-09 09:00")
    assert dispatched.extension_requested_until is None


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 20)).map(
    lambda d: d.replace(tzinfo=LOCAL)
)
lookahead = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@lookahead
@given(start=moments, days=st.integers(min_value=1, max_value=15))
def test_working_day_deadline_properties(start, days):
    due, _ = add_limit(start, Limit(days=days), WORKING)
    local = due.astimezone(LOCAL)
    assert calendar.is_workday(local.date())
    assert local.time() == start.time()
    span = (local.date() - start.date()).days
    counted = sum(
        calendar.is_workday(start.date() + dt.timedelta(days=i)) for i in range(1, span + 1)
    )
    assert counted == days
    assert span >= days


@lookahead
@given(start=moments, days=st.integers(min_value=1, max_value=15))
def test_working_days_are_never_earlier_than_natural_days(start, days):
    natural, _ = add_limit(start, Limit(days=days), DayMode.NATURAL)
    working, _ = add_limit(start, Limit(days=days), WORKING)
    assert natural - start == dt.timedelta(days=days)
    # n working days are at least n calendar days, whatever the 调休 pattern
    assert working >= natural


@lookahead
@given(
    start=moments,
    hours=st.integers(min_value=1, max_value=400),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
)
def test_lamp_is_monotonic_in_time(start, hours, minutes):
    due = start + dt.timedelta(hours=hours)
    order = {Lamp.GREEN: 0, Lamp.YELLOW: 1, Lamp.RED: 2}
    share = deadlines.policy_on(start.date()).due_soon_share
    earlier = deadlines.lamp_for(start, due, start + dt.timedelta(minutes=minutes), share)
    later = deadlines.lamp_for(start, due, start + dt.timedelta(minutes=minutes + 30), share)
    assert order[earlier] <= order[later]


def test_lamp_filter_and_worker_refresh(dispatched, make_case, people):
    from django.core.management import call_command

    from jiesu.cases.models import Case

    waiting = make_case(received_at=at("2026-03-02 09:00"))  # sign due 09:30, warn at 09:22:30
    assert waiting.current_warn_at == at("2026-03-02 09:22:30")
    assert dispatched.current_warn_at == at("2026-03-07 15:00")
    now = at("2026-03-02 09:25")
    yellow = set(
        Case.objects.filter(deadlines.lamp_filter(Lamp.YELLOW, now)).values_list("pk", flat=True)
    )
    green = set(
        Case.objects.filter(deadlines.lamp_filter(Lamp.GREEN, now)).values_list("pk", flat=True)
    )
    assert (yellow, green) == ({waiting.pk}, {dispatched.pk})
    assert deadlines.refresh_lamps(at("2026-03-08 10:00")) == 2
    assert dict(Case.objects.values_list("pk", "lamp")) == {
        waiting.pk: Lamp.RED,
        dispatched.pk: Lamp.YELLOW,
    }
    call_command("worker", once=True)  # today is long after both deadlines
    assert set(Case.objects.values_list("lamp", flat=True)) == {Lamp.RED}
