"""The audit page: who may read what, the filters, paging, the export and its own record."""

import csv
import datetime as dt
import io

import pytest

from jiesu.audit.log import record
from jiesu.org.models import Membership, Role


@pytest.fixture
def trail(people, db):
    """One export by each person, from their own desk's address."""
    rows = {}
    for n, name in enumerate(["admin", "zuzhang", "zuoxi", "keshi", "shequ", "outsider"]):
        rows[name] = record("export", user=people[name], what="工单台账", count=n)
    return rows


def shown(response) -> set[str]:
    return {e.actor_username for e, _ in response.context["rows"]}


def test_the_administrator_reads_every_row(client, people, trail):
    client.force_login(people["admin"])
    response = client.get("/audit/", {"kind": "export"})
    assert response.status_code == 200
    assert shown(response) == {"admin", "zuzhang", "zuoxi", "keshi", "shequ", "outsider"}


def test_a_leader_reads_the_people_of_their_units_only(client, people, trail):
    client.force_login(people["zuzhang"])
    response = client.get("/audit/", {"kind": "export"})
    assert response.status_code == 200
    # 霍营街道 and everything under it; not 回龙观街道's operator, not the administrator
    assert shown(response) == {"zuzhang", "zuoxi", "keshi", "shequ"}


def test_a_leader_sees_failed_logins_on_their_peoples_accounts(client, people, trail):
    client.post("/login/", {"username": "zuoxi", "password": "x"}, REMOTE_ADDR="10.1.1.1")
    client.post("/login/", {"username": "outsider", "password": "x"}, REMOTE_ADDR="10.1.1.2")
    client.force_login(people["zuzhang"])
    response = client.get("/audit/", {"kind": "login_failed"})
    assert shown(response) == {"zuoxi"}


def test_a_leader_of_another_street_sees_none_of_this_one(client, people, org, trail):
    Membership.objects.create(user=people["outsider"], unit=org["other_street"], role=Role.LEADER)
    client.force_login(people["outsider"])
    response = client.get("/audit/", {"kind": "export"})
    assert shown(response) == {"outsider"}


@pytest.mark.parametrize("name", ["zuoxi", "shenhe", "keshi", "ducha"])
def test_others_are_refused(client, people, name):
    client.force_login(people[name])
    for url in ("/audit/", "/audit/reveals/", "/audit/export.csv"):
        response = client.get(url)
        assert response.status_code == 403
        assert "只有系统管理员和组长" in response.content.decode()


def test_the_navigation_links_the_page_for_those_who_may_read_it(client, people):
    client.force_login(people["zuzhang"])
    assert 'data-nav="audit"' in client.get("/cases/").content.decode()
    client.force_login(people["zuoxi"])
    assert 'data-nav="audit"' not in client.get("/cases/").content.decode()


def test_filters_by_person_kind_address_and_day(client, people, trail):
    record("login", user=people["zuoxi"])
    client.force_login(people["admin"])

    by_person = client.get("/audit/", {"person": "keshi"})
    assert shown(by_person) == {"keshi"}

    by_kind = client.get("/audit/", {"kind": "login", "person": "zuoxi"})
    assert [e.kind for e, _ in by_kind.context["rows"]] == ["login"]

    client.post("/login/", {"username": "shequ", "password": "x"}, REMOTE_ADDR="172.16.5.4")
    by_ip = client.get("/audit/", {"ip": "172.16.5.4"})
    assert [(e.kind, e.actor_username) for e, _ in by_ip.context["rows"]] == [
        ("login_failed", "shequ")
    ]

    today = dt.date.today()
    assert client.get("/audit/", {"since": today - dt.timedelta(days=1)}).context["count"] > 6
    old = client.get("/audit/", {"until": "2025-01-01"})
    assert old.context["count"] == 0
    assert "没有符合条件的记录" in old.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ({"ip": "10.1.1"}, "请输入完整的 IP 地址"),
        ({"since": "1899-01-01"}, "2000 年至 2099 年"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "起始日期不能晚于截止日期"),
        ({"kind": "drop-table"}, "事件"),
        ({"since": "明天"}, "起始日期"),
    ],
)
def test_bad_filters_get_a_chinese_400(client, people, query, message):
    client.force_login(people["admin"])
    response = client.get("/audit/", query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get("/audit/export.csv", query).status_code == 400


def test_pages_walk_back_by_id(client, people):
    for n in range(55):
        record("export", user=people["zuoxi"], what="工单台账", count=n)
    client.force_login(people["admin"])
    first = client.get("/audit/", {"person": "zuoxi"})
    rows = [e for e, _ in first.context["rows"]]
    assert len(rows) == 50
    assert first.context["count"] == 55
    assert [e.id for e in rows] == sorted((e.id for e in rows), reverse=True)
    older = client.get("/audit/", {"person": "zuoxi", "before": first.context["next_before"]})
    assert [e.detail["count"] for e, _ in older.context["rows"]] == [4, 3, 2, 1, 0]
    assert older.context["next_before"] is None
    assert client.get("/audit/", {"before": "abc"}).status_code == 200


def test_the_count_stops_at_the_limit(client, people, settings, monkeypatch):
    from jiesu.audit import queries

    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)
    for n in range(5):
        record("export", user=people["zuoxi"], what="工单台账", count=n)
    client.force_login(people["admin"])
    response = client.get("/audit/", {"person": "zuoxi"})
    assert (response.context["count"], response.context["more"]) == (3, True)
    assert "超过 3 条" in response.content.decode()


def test_the_export_is_formula_safe_and_itself_recorded(client, people, events):
    client.post("/login/", {"username": "=HYPERLINK(1)", "password": "x"}, REMOTE_ADDR="10.2.2.2")
    client.force_login(people["admin"])
    response = client.get("/audit/export.csv", {"kind": "login_failed"})
    assert response.status_code == 200
    assert (
        "安全审计日志" in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "时间", "用户名"]
    assert rows[1][2] == "'=HYPERLINK(1)"
    export = events(kind="export")[-1]
    assert export.actor_id == people["admin"].pk
    assert export.detail == {
        "what": "安全审计日志",
        "count": 1,
        "filters": {"kind": "login_failed"},
    }


def test_both_days_of_a_range_are_included(client, people, trail):
    from django.utils import timezone

    today = timezone.localdate()
    client.force_login(people["admin"])
    same_day = client.get("/audit/", {"since": today, "until": today, "kind": "export"})
    assert shown(same_day) == {"admin", "zuzhang", "zuoxi", "keshi", "shequ", "outsider"}
    yesterday = today - dt.timedelta(days=1)
    assert client.get("/audit/", {"until": yesterday}).context["count"] == 0
    tomorrow = today + dt.timedelta(days=1)
    assert client.get("/audit/", {"since": tomorrow}).context["count"] == 0
