"""The export log (导出记录): who exported what, with which filters, how many rows, when;
the administrator reads all, a 组长 their people's, nobody else any."""

import re

import pytest
from django.contrib.auth.models import User

from jiesu.org.models import Membership, Role
from tests.conftest import at


@pytest.fixture
def exported(client, people, make_case, org):
    """坐席员 zuoxi exports the 待签收 list of two cases; 回龙观's operator one case."""
    make_case(received_at=at("2026-11-03 09:00"))
    make_case(received_at=at("2026-11-04 09:00"))
    make_case(
        received_at=at("2026-11-05 09:00"), street=org["other_street"], community=org["elsewhere"]
    )
    client.force_login(people["zuoxi"])
    response = client.get("/reports/ledgers/list.xlsx?state=received&platform=city")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    client.force_login(people["outsider"])
    response = client.get("/reports/ledgers/list.xlsx")
    b"".join(response.streaming_content)


def _rows(html: str) -> list[dict]:
    rows = []
    for tr in re.findall(r"<tr data-event=.*?</tr>", html, re.S):
        cells = dict(re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</td>', tr, re.S))
        rows.append({k: re.sub(r"<[^>]+>", "", v).strip() for k, v in cells.items()})
    return rows


def test_the_leader_sees_the_export_of_their_operator(client, people, exported):
    client.force_login(people["zuzhang"])
    page = client.get("/reports/exports/")
    assert page.status_code == 200
    rows = _rows(page.content.decode())
    assert len(rows) == 1  # not 回龙观's operator's
    row = rows[0]
    assert row["导出人"] == "zuoxi"
    assert row["导出内容"] == "工单列表台账"
    assert row["条件"] == "platform=city; state=received"
    assert row["行数"] == "2"
    assert row["个人信息"] == "已脱敏"


def test_the_administrator_sees_all_newest_first_and_paged(client, people, exported, monkeypatch):
    from jiesu.reports import views

    client.force_login(people["admin"])
    rows = _rows(client.get("/reports/exports/").content.decode())
    assert [r["导出人"] for r in rows] == ["outsider", "zuoxi"]
    assert [r["行数"] for r in rows] == ["1", "2"]
    monkeypatch.setattr(views, "LOG_PAGE", 1)
    html = client.get("/reports/exports/").content.decode()
    assert [r["导出人"] for r in _rows(html)] == ["outsider"]
    older = re.search(r'href="\?person=&amp;before=(\d+)"', html).group(1)
    html = client.get(f"/reports/exports/?before={older}").content.decode()
    assert [r["导出人"] for r in _rows(html)] == ["zuoxi"]
    rows = _rows(client.get("/reports/exports/?person=zuoxi").content.decode())
    assert [r["导出人"] for r in rows] == ["zuoxi"]


def test_a_reveal_is_shown_as_such(client, people, make_case):
    make_case(received_at=at("2026-11-03 09:00"))
    client.force_login(people["zuzhang"])
    response = client.get("/reports/ledgers/list.xlsx?reveal=1")
    b"".join(response.streaming_content)
    rows = _rows(client.get("/reports/exports/").content.decode())
    assert rows[0]["个人信息"] == "含个人信息"
    assert rows[0]["条件"] == "全部"


def test_nobody_else_reads_it(client, people, org, exported):
    # an operator of another street, and a 组长 of another street (who leads nobody here)
    client.force_login(people["outsider"])
    assert client.get("/reports/exports/").status_code == 403
    other = User.objects.create_user(username="hlg_leader")
    Membership.objects.create(user=other, unit=org["other_street"], role=Role.LEADER)
    client.force_login(other)
    rows = _rows(client.get("/reports/exports/").content.decode())
    assert [r["导出人"] for r in rows] == ["outsider"]
    # the navigation shows the link to those who may read it
    assert 'data-nav="export-log"' in client.get("/cases/").content.decode()
    client.force_login(people["zuoxi"])
    assert 'data-nav="export-log"' not in client.get("/cases/").content.decode()
