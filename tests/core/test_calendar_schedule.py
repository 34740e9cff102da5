"""A year beyond the built-in calendar: its cases are flagged until an administrator marks its
official schedule complete; then every open case's due time is recomputed, through the
workflow, with a timeline event. The 2027 schedule here is made up by hand:

    元旦   2027-01-01 (Fri) off
    春节   2027-02-06 (Sat) … 2027-02-14 (Sun) off, Saturday 2027-02-20 a make-up workday

A case received Monday 2027-01-25 10:00 with 15 working days:
    weekends only: 01-26 … 01-29 (4), 02-01 … 02-05 (9), 02-08 … 02-12 (14), 02-15 (15)
    → 2027-02-15 10:00, flagged
    on the schedule: 01-26 … 01-29 (4), 02-01 … 02-05 (9), 02-15 … 02-19 (14), 02-20 (15)
    → 2027-02-20 10:00 (the make-up Saturday)
"""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from jiesu.audit.models import AuditEvent
from jiesu.cases import workflow
from jiesu.cases.models import Case, CaseEvent, DayMode, DeadlinePolicy, State
from jiesu.core import calendar
from jiesu.core.models import CalendarDay, DayKind, OfficialSchedule
from tests.conftest import at

pytestmark = pytest.mark.django_db
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
SPRING_FESTIVAL = [dt.date(2027, 2, 6) + dt.timedelta(days=i) for i in range(9)]  # 02-06…02-14


@pytest.fixture(autouse=True)
def working_days(db):
    DeadlinePolicy.objects.create(
        effective_from=dt.date(2026, 1, 1),
        day_mode=DayMode.WORKING,
        supervision_hours=[2, 24, 168],
    )


def enter_2027_days():
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    for day in SPRING_FESTIVAL:
        CalendarDay.objects.create(date=day, kind=DayKind.HOLIDAY, name="春节")
    CalendarDay.objects.create(date=dt.date(2027, 2, 20), kind=DayKind.WORKDAY, name="春节调休")


@pytest.fixture
def case_2027(make_case, people, org):
    """Received Monday 2027-01-25 10:00, 15 working days, signed and dispatched."""
    case = make_case(received_at=at("2027-01-25 10:00"), limit_days=15)
    workflow.sign(case, by=people["zuoxi"], at=at("2027-01-25 10:05"))
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["hly"], at=at("2027-01-25 10:20"))
    return case


def reschedules(case):
    return list(CaseEvent.objects.filter(case=case, action="reschedule").order_by("id"))


def page(client, people, case) -> str:
    client.force_login(people["zuzhang"])
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def admin_client(client, people):
    User.objects.filter(pk=people["admin"].pk).update(is_staff=True, is_superuser=True)
    client.force_login(people["admin"])
    return client


def test_flagged_until_marked_complete_then_recomputed_exactly(client, people, case_2027):
    assert (case_2027.due_at, case_2027.due_unscheduled) == (at("2027-02-15 10:00"), True)
    assert 'data-warning="unscheduled"' in page(client, people, case_2027)

    # one day entered is not a schedule: cases due in February stay flagged
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    case_2027.refresh_from_db()
    assert case_2027.due_unscheduled
    assert not calendar.has_official_schedule(2027)

    # nor are all of them, until the administrator marks the year complete: the cases wait
    # for the mark, so each gets one event and not one per day entered
    for day in SPRING_FESTIVAL:
        CalendarDay.objects.create(date=day, kind=DayKind.HOLIDAY, name="春节")
    CalendarDay.objects.create(date=dt.date(2027, 2, 20), kind=DayKind.WORKDAY, name="春节调休")
    case_2027.refresh_from_db()
    assert (case_2027.due_at, case_2027.due_unscheduled) == (at("2027-02-15 10:00"), True)
    assert reschedules(case_2027) == []

    admin = admin_client(client, people)
    response = admin.post(
        "/admin/core/officialschedule/add/",
        {"year": "2027", "notice": NOTICE, "notice_date": "2026-12-01", "_save": "保存"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = OfficialSchedule.objects.get(year=2027)
    assert (row.notice, row.notice_date, row.marked_by) == (
        NOTICE,
        dt.date(2026, 12, 1),
        people["admin"],
    )

    case_2027.refresh_from_db()
    assert (case_2027.due_at, case_2027.due_unscheduled) == (at("2027-02-20 10:00"), False)
    assert case_2027.unit_due_at == at("2027-02-20 10:00")  # the unit's due followed
    assert case_2027.current_due_at == at("2027-02-20 10:00")  # and the running clock
    assert case_2027.state == State.DISPATCHED
    (event,) = reschedules(case_2027)
    assert event.actor is None
    assert event.reason.startswith(
        "节假日安排更新,办结时限由 2027-02-15 10:00 改为 2027-02-20 10:00"
    )
    assert event.payload["to"] == at("2027-02-20 10:00").isoformat()
    assert (event.from_state, event.to_state) == (State.DISPATCHED, State.DISPATCHED)

    html = page(client, people, case_2027)
    assert 'data-warning="unscheduled"' not in html
    assert "节假日安排更新,办结时限由 2027-02-15 10:00 改为 2027-02-20 10:00" in html
    assert "2027-02-20 10:00" in html


def test_the_mark_is_audited_with_its_actor(client, people):
    enter_2027_days()
    admin = admin_client(client, people)
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    admin.post(
        "/admin/core/officialschedule/add/",
        {"year": "2027", "notice": NOTICE, "notice_date": "2026-12-01", "_save": "保存"},
    )
    (row,) = AuditEvent.objects.filter(id__gt=start, target_type="core.officialschedule")
    assert (row.kind, row.actor_username) == ("config_create", "admin")
    assert row.detail["fields"]["notice"] == NOTICE
    listing = admin.get("/admin/core/officialschedule/").content.decode()
    assert "官方放假安排" in listing and "已录入天数" in listing and NOTICE in listing


def test_the_admin_refuses_a_year_with_no_day_entered(client, people):
    admin = admin_client(client, people)
    response = admin.post(
        "/admin/core/officialschedule/add/",
        {"year": "2027", "notice": NOTICE, "notice_date": "2026-12-01", "_save": "保存"},
    )
    assert response.status_code == 200
    assert "2027年还没有录入任何放假日或调休上班日" in response.content.decode()
    assert not OfficialSchedule.objects.exists()


def test_every_open_case_of_the_year_and_only_those(make_case, people, org, case_2027):
    # received 2027-01-25 09:00, not yet signed: the completion due moves all the same
    waiting = make_case(received_at=at("2027-01-25 09:00"), limit_days=15)
    # across the new year: Monday 2026-12-28 09:00 + 7 working days; 2026 is built in
    # weekends only: 12-29, 12-30, 12-31, 01-01 (4), 01-04, 01-05, 01-06 (7)
    # on the schedule 01-01 is off: 12-29 … 12-31 (3), 01-04 … 01-07 (7)
    spanning = make_case(received_at=at("2026-12-28 09:00"), limit_days=7)
    assert (spanning.due_at, spanning.due_unscheduled) == (at("2027-01-06 09:00"), True)
    # an approved extension keeps its date
    extended = make_case(received_at=at("2027-01-25 10:00"), limit_days=15)
    workflow.sign(extended, by=people["zuoxi"], at=at("2027-01-25 10:05"))
    workflow.dispatch(extended, by=people["zuoxi"], lead_unit=org["hly"], at=at("2027-01-25 10:20"))
    workflow.request_extension(
        extended,
        by=people["shequ"],
        until=at("2027-03-01 18:00"),
        reason="需协调产权单位",
        at=at("2027-02-01 10:00"),
    )
    workflow.approve_extension(extended, by=people["zuzhang"], at=at("2027-02-01 11:00"))
    # closed: its clock has stopped
    closed = make_case(received_at=at("2027-01-25 10:00"), limit_days=15)
    workflow.sign(closed, by=people["zuoxi"], at=at("2027-01-25 10:05"))
    workflow.close(closed, by=people["zuoxi"], answer="已告知", at=at("2027-01-25 11:00"))
    # an hour limit never rests on the calendar
    hours = make_case(received_at=at("2027-01-25 10:00"), limit_hours=48)
    before = {c.pk: Case.objects.get(pk=c.pk).version for c in (closed, hours)}

    enter_2027_days()
    row = calendar.mark_complete(2027, notice=NOTICE, notice_date=dt.date(2026, 12, 1))
    assert row.rescheduled == 4

    def state(case):
        case.refresh_from_db()
        return case.due_at, case.due_unscheduled

    assert state(case_2027) == (at("2027-02-20 10:00"), False)
    assert state(waiting) == (at("2027-02-20 09:00"), False)
    assert waiting.current_due_at == waiting.sign_due_at  # the sign clock is untouched
    assert state(spanning) == (at("2027-01-07 09:00"), False)
    assert state(extended) == (at("2027-03-01 18:00"), False)
    assert extended.original_due_at == at("2027-02-15 10:00")
    (event,) = reschedules(extended)
    assert event.reason.startswith("节假日安排更新,已批准延期的办结时限 2027-03-01 18:00 不变")
    assert state(closed) == (at("2027-02-15 10:00"), True)
    assert {c.pk: c.version for c in (closed, hours)} == before
    assert reschedules(closed) == reschedules(hours) == []

    # marking it again changes nothing, and writes no event
    assert (
        calendar.mark_complete(2027, notice=NOTICE, notice_date=dt.date(2026, 12, 2)).rescheduled
        == 0
    )
    assert len(reschedules(case_2027)) == 1


def test_a_day_changed_after_the_mark_recomputes_and_unmarking_flags_again(case_2027):
    enter_2027_days()
    calendar.mark_complete(2027, notice=NOTICE, notice_date=dt.date(2026, 12, 1))
    # the make-up Saturday withdrawn: the 15th working day is Monday 02-22
    CalendarDay.objects.get(date=dt.date(2027, 2, 20)).delete()
    case_2027.refresh_from_db()
    assert (case_2027.due_at, case_2027.due_unscheduled) == (at("2027-02-22 10:00"), False)
    assert reschedules(case_2027)[-1].reason.startswith(
        "节假日安排更新,办结时限由 2027-02-20 10:00 改为 2027-02-22 10:00"
    )
    # moved to 2028 (a typing error corrected the wrong way): 2027 is recomputed too
    day = CalendarDay.objects.get(date=dt.date(2027, 2, 12))
    day.date = dt.date(2028, 2, 12)
    day.save()
    case_2027.refresh_from_db()
    assert case_2027.due_at == at("2027-02-19 10:00")
    OfficialSchedule.objects.get(year=2027).delete()
    case_2027.refresh_from_db()
    assert (case_2027.due_at, case_2027.due_unscheduled) == (at("2027-02-19 10:00"), True)
    assert len(reschedules(case_2027)) == 4


def test_the_command_marks_a_year_and_shows_the_years(case_2027, capsys):
    with pytest.raises(CommandError, match="2027年还没有录入任何放假日或调休上班日"):
        call_command(
            "calendar", "mark-complete", "2027", "--notice", NOTICE, "--date", "2026-12-01"
        )
    enter_2027_days()
    call_command("calendar", "mark-complete", "2027", "--notice", NOTICE, "--date", "2026-12-01")
    out = capsys.readouterr().out
    assert "已标记2027年官方放假安排录入完成(已录入 11 天),重新计算了 1 件" in out
    case_2027.refresh_from_db()
    assert (case_2027.due_at, case_2027.due_unscheduled) == (at("2027-02-20 10:00"), False)
    call_command("calendar", "status")
    out = capsys.readouterr().out
    assert "2027 年:放假 10 天,调休上班 1 天;已标记录入完成" in out
    with pytest.raises(CommandError, match="格式不对"):
        call_command("calendar", "mark-complete", "2027", "--notice", NOTICE, "--date", "12/01")
