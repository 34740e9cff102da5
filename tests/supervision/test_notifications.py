"""Notifications as people read them: the API, the bell's count, the page, marking read;
each person sees their own only, and an event is told to a person once."""

from jiesu.core.models import ApiToken
from jiesu.supervision.notify import notify
from tests.conftest import at


def _three(people, case=None):
    shequ = people["shequ"]
    notify("urge", [shequ], text="【自动催办】一", key="a", case=case, at=at("2026-03-02 11:40"))
    notify("due_soon", [shequ], text="【临期提醒】二", key="b", at=at("2026-03-09 05:00"))
    notify(
        "overdue", [shequ, people["zuzhang"]], text="【超期】三", key="c", at=at("2026-03-09 09:00")
    )


def test_the_api_lists_my_notifications_newest_first(people, client, dispatched):
    _three(people, case=dispatched)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['shequ'])}"}
    body = client.get("/api/v1/notifications", **auth).json()
    assert [n["text"] for n in body] == ["【超期】三", "【临期提醒】二", "【自动催办】一"]
    assert set(body[0]) == {"id", "kind", "case", "text", "created_at", "read"}
    assert body[2]["case"] == dispatched.pk and body[0]["case"] is None
    assert body[0]["kind"] == "overdue" and body[0]["read"] is False
    assert body[0]["created_at"] == "2026-03-09T01:00:00Z"  # 09:00 Beijing time
    # the 组长 sees the one told to them only
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['zuzhang'])}"}
    assert [n["text"] for n in client.get("/api/v1/notifications", **auth).json()] == ["【超期】三"]
    assert client.get("/api/v1/notifications").status_code == 401


def test_an_event_is_told_once(people):
    assert notify("urge", [people["shequ"]], text="x", key="k") == 1
    assert notify("urge", [people["shequ"], people["keshi"]], text="x", key="k") == 1
    assert people["shequ"].notifications.count() == 1


def test_the_bell_counts_unread_and_the_page_marks_read(people, client):
    _three(people)
    client.force_login(people["shequ"])
    bell = client.get("/notifications/bell/").content.decode()
    assert 'data-unread="3"' in bell
    page = client.get("/notifications/").content.decode()
    assert page.count("data-notification=") == 3
    first = people["shequ"].notifications.get(key="a")
    client.post("/notifications/read/", {"id": first.pk})
    assert 'data-unread="2"' in client.get("/notifications/bell/").content.decode()
    client.post("/notifications/read/", {})
    assert 'data-unread="0"' in client.get("/notifications/bell/").content.decode()
    # someone else's notification cannot be marked from here
    theirs = people["zuzhang"].notifications.get()
    client.post("/notifications/read/", {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_every_page_carries_the_bell(people, client):
    client.force_login(people["zuoxi"])
    page = client.get("/cases/").content.decode()
    assert 'hx-get="/notifications/bell/"' in page
