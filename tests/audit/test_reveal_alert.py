"""More reveals in an hour than the office allows: one alert row, shown to administrators."""

import datetime as dt

from django.core import mail

from jiesu.audit.alerts import check_reveals
from jiesu.core.models import PiiAccess
from tests.conftest import at


def reveals_at(user, case, times) -> list:
    """Reveals at the given times, each checked as it happens; the alerts written."""
    alerts = []
    for when in times:
        access = PiiAccess.objects.create(user=user, case=case, field="caller_phone")
        PiiAccess.objects.filter(pk=access.pk).update(at=when)
        alert = check_reveals(user, at=when)
        if alert:
            alerts.append(alert)
    return alerts


def test_the_31st_reveal_within_an_hour_raises_one_alert(people, dispatched):
    start = at("2026-03-02 09:00")
    times = [start + dt.timedelta(minutes=m) for m in range(0, 62, 2)]  # 31 in 60 minutes
    times.append(start + dt.timedelta(minutes=61))  # a 32nd in the same hour
    alerts = reveals_at(people["zuoxi"], dispatched, times)
    assert len(alerts) == 1
    (alert,) = alerts
    assert (alert.kind, alert.actor_id) == ("alert", people["zuoxi"].pk)
    assert alert.detail["reveals"] == 31
    assert alert.detail["limit"] == 30
    assert "zuoxi 在一小时内查看个人信息 31 次" in alert.detail["message"]


def test_31_reveals_spread_over_two_hours_raise_none(people, dispatched):
    start = at("2026-03-02 09:00")
    times = [start + dt.timedelta(minutes=4 * m) for m in range(31)]  # every 4 minutes, 2 h
    assert reveals_at(people["zuoxi"], dispatched, times) == []


def test_through_the_page_the_alert_reaches_the_administrators(
    client, people, dispatched, settings, events, django_capture_on_commit_callbacks
):
    settings.JIESU_REVEAL_ALERT_PER_HOUR = 3
    settings.ADMINS = [("值班管理员", "admin@example.org")]
    client.force_login(people["zuoxi"])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = client.post(f"/cases/{dispatched.pk}/reveal/caller_phone/")
            assert response.status_code == 200
    alerts = events(kind="alert")
    assert len(alerts) == 1
    assert alerts[0].detail["reveals"] == 4
    (message,) = mail.outbox
    assert "个人信息查看异常告警" in message.subject
    assert message.to == ["admin@example.org"]
    assert "zuoxi 在一小时内查看个人信息 4 次" in message.body

    client.force_login(people["admin"])
    page = client.get("/audit/").content.decode()
    assert f'data-alert="{alerts[0].pk}"' in page
    assert "zuoxi 在一小时内查看个人信息 4 次" in page
    assert 'data-audit-alerts="1"' in page
    # the 组长 reads the alert row in the list, but the banner and header count are the
    # administrator's
    client.force_login(people["zuzhang"])
    page = client.get("/audit/").content.decode()
    assert "data-audit-alerts" not in page
    assert f'data-event="{alerts[0].pk}"' in page


def test_reveals_per_person_per_day(client, people, dispatched):
    client.force_login(people["zuoxi"])
    for _ in range(3):
        client.post(f"/cases/{dispatched.pk}/reveal/caller_phone/")
    client.force_login(people["zuzhang"])
    client.post(f"/cases/{dispatched.pk}/reveal/address/")
    response = client.get("/audit/reveals/")
    assert response.status_code == 200
    table = {row["person"]: row for row in response.context["table"]}
    assert table["zuoxi"]["total"] == 3
    assert table["zuoxi"]["counts"][0] == 3  # today, the first column
    assert table["zuzhang"]["total"] == 1
    assert len(response.context["days"]) == 30
