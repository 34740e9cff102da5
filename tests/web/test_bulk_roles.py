"""Bulk sign, urge and export are the desk's (坐席员, 组长, 区级督办): only they see the bar
and the ticks, and the server refuses everyone else."""

import pytest

from jiesu.cases.models import Case, State


@pytest.mark.parametrize("username", ["zuoxi", "zuzhang", "ducha"])
def test_the_desk_sees_the_bulk_bar(client, people, dispatched, username):
    client.force_login(people[username])
    page = client.get("/cases/").content.decode()
    for action in ("sign", "urge", "export"):
        assert f'data-bulk="{action}"' in page
    assert f'data-select="{dispatched.pk}"' in page


@pytest.mark.parametrize(
    ("username", "queue"),
    [("shenhe", "review"), ("shequ", "mine"), ("keshi", "mine"), ("shuju", "callback")],
)
def test_others_see_no_bulk_button_and_are_refused(
    client, people, make_case, dispatched, username, queue
):
    fresh = make_case()
    client.force_login(people[username])
    for url in ("/cases/", f"/queues/{queue}/"):
        page = client.get(url).content.decode()
        assert "data-bulk" not in page and "data-select" not in page and "bulk-form" not in page
    for action in ("sign", "urge", "export"):
        response = client.post(
            "/cases/bulk/", {"bulk_action": action, "ids": [fresh.pk, dispatched.pk]}
        )
        assert response.status_code == 403
    assert Case.objects.get(pk=fresh.pk).state == State.RECEIVED
    assert not dispatched.events.filter(action="urge").exists()
