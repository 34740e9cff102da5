"""The worker's chasing with a fake clock: each 催办 node, reminder, escalation and digest
fires once, at its minute (a 调休 Saturday included), is a timeline row like a person's,
and tells the right people without personal data."""

import re

import pytest
from django.db import connection

from jiesu.cases.models import CaseEvent
from jiesu.supervision import chase
from jiesu.supervision.models import Notification
from tests.conftest import at
from tests.workers import run_workers

# The `dispatched` case: received Mon 03-02 09:00, dispatched 09:40 to 华龙苑南里社区 (its
# handler: shequ); 7 natural days, so due 03-09 09:00; reminders 4 h before (05:00).


def _pass(when: str) -> dict:
    return chase.run(at(when))


def _urges(case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case, action="urge")
        .order_by("at")
        .values_list("reason", flat=True)
    )


def test_each_node_reminder_and_escalation_fires_once_at_its_minute(dispatched, people):
    expected = {
        "2026-03-02 11:39": {},
        "2026-03-02 11:40": {"urge": 1},  # 2 hours after dispatch
        "2026-03-02 11:41": {},
        "2026-03-03 09:39": {},
        "2026-03-03 09:40": {"urge": 1},  # 24 hours
        "2026-03-09 04:59": {},
        "2026-03-09 05:00": {"due_soon": 1},  # 4 hours before 09:00
        "2026-03-09 08:59": {},
        "2026-03-09 09:00": {"overdue": 1},  # red
        "2026-03-09 09:40": {"urge": 1},  # 7 days
        "2026-03-09 10:00": {},
    }
    for when, steps in expected.items():
        done = _pass(when)
        again = _pass(when)  # a second worker, or the next loop, at the same minute
        assert {k: v for k, v in done.items() if v and k != "digest"} == steps, when
        assert not any(v for k, v in again.items() if k != "digest"), when
    assert _urges(dispatched) == [
        "自动催办:派单已满2小时",
        "自动催办:派单已满1天",
        "临期提醒:03-09 09:00到期",
        "超期升级:已告知组长和承办单位负责人",
        "自动催办:派单已满7天",
    ]
    # system steps: no person
    assert not CaseEvent.objects.filter(case=dispatched, action="urge", actor__isnull=False)
    handler = Notification.objects.filter(user=people["shequ"]).exclude(kind="digest")
    assert handler.count() == 5
    leader = Notification.objects.get(user=people["zuzhang"])
    assert leader.kind == "overdue" and leader.urgent
    assert leader.text == (
        f"【超期】工单{dispatched.platform_no}(华龙苑南里社区)已超过办理时限03-09 09:00,请督促办理。"
    )
    for n in Notification.objects.all():  # the caller's phone, name and address never
        assert [w for w in ("13812341234", "张三", "12号楼") if w in n.text] == []
    # nobody else: not the desk's 坐席员, not the other street
    assert not Notification.objects.filter(user__in=[people["zuoxi"], people["outsider"]])


def test_across_a_tiaoxiu_weekend(make_case, people, org):
    """Two working days from Thu 02-26 09:00: Fri 02-27, then Sat 02-28, a 调休 working day
    of the 2026 Spring Festival; so the case is due Sat 09:00, reminded at 05:00."""
    import datetime as dt

    from jiesu.cases import workflow
    from jiesu.cases.models import DayMode, DeadlinePolicy

    DeadlinePolicy.objects.create(
        effective_from=dt.date(2026, 1, 1), day_mode=DayMode.WORKING, ordinary_days=2
    )
    case = make_case(received_at=at("2026-02-26 09:00"))
    workflow.sign(case, by=people["zuoxi"], at=at("2026-02-26 09:05"))
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["office"], at=at("2026-02-26 09:30"))
    case.refresh_from_db()
    assert case.current_due_at == at("2026-02-28 09:00")
    assert not _pass("2026-02-28 04:59")["due_soon"]
    assert _pass("2026-02-28 05:00")["due_soon"] == 1
    assert not _pass("2026-02-28 08:59")["overdue"]
    assert _pass("2026-02-28 09:00")["overdue"] == 1
    told = set(Notification.objects.filter(kind="overdue").values_list("user__username", flat=True))
    assert told == {"zuzhang", "keshi"}  # the street's 组长 and the 科室's handler


def test_a_worker_back_after_two_days_catches_up_one_day_only(dispatched):
    """Down from before 11:40 on 03-02 to 03-04 09:00: the 24-hour node (03-03 09:40, 23 h
    20 min before) is within the 24-hour lookback and is taken late; the 2-hour node (03-02
    11:40, 45 h before) is not."""
    assert _pass("2026-03-04 09:00")["urge"] == 1
    assert _urges(dispatched) == ["自动催办:派单已满1天"]


def test_the_daily_digest_at_0830_once_a_day(dispatched, people):
    assert not _pass("2026-03-03 08:29")["digest"]
    assert _pass("2026-03-03 08:30")["digest"] == 1
    assert not _pass("2026-03-03 09:00")["digest"]
    digest = Notification.objects.get(kind="digest")
    assert digest.user == people["shequ"]
    assert digest.text == "【每日汇总】华龙苑南里社区截至03-03 08:30:在办1件,临期0件,超期0件。"
    # 03-09 08:30: due at 09:00, so 临期
    assert _pass("2026-03-09 08:30")["digest"] == 1
    latest = Notification.objects.filter(kind="digest").order_by("-created_at").first()
    assert latest.text.endswith("在办1件,临期1件,超期0件。")


def test_a_case_no_longer_dispatched_is_not_chased(dispatched, people):
    from jiesu.cases import workflow

    workflow.shelve(
        dispatched, by=people["zuzhang"], reason="需长期协调", at=at("2026-03-02 10:00")
    )
    assert not any(_pass("2026-03-02 11:40").values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_tell_each_person_once(org, people, make_case, tmp_path):
    """Two `jiesu worker --once --now …` at the same minute over ten cases at their
    2-hour node: ten 催办 on the timelines and ten notifications, not twenty."""
    if connection.vendor != "postgresql":
        pytest.skip("two processes need a database server")
    from jiesu.cases import workflow

    for i in range(10):
        case = make_case(received_at=at("2026-03-02 09:00"), platform_no=f"2026039{i:07d}")
        workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:10"))
        workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["hly"], at=at("2026-03-02 09:40"))
    said = []
    for out in run_workers("2026-03-02T11:40:00+08:00", tmp_path=tmp_path):
        said += [int(n) for n in re.findall(r"自动催办 (\d+) 件", out)]
    assert sum(said) == 10
    assert CaseEvent.objects.filter(action="urge").count() == 10
    assert Notification.objects.filter(kind="urge", user=people["shequ"]).count() == 10
