"""The JSON API: token and session auth, filters, detail with timeline, actions and errors."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiesu.cases.models import Case, Lamp, State
from jiesu.core.models import ApiToken, PiiAccess
from tests.conftest import at


@pytest.fixture
def bearer(people):
    def make(username):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people[username])}"}

    return make


def test_list_requires_authentication(client, db):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_list_filters_and_masks(client, bearer, make_case, dispatched, org):
    other = make_case(title="夜间施工噪音扰民", content="霍营地铁站旁工地夜里12点还在施工。")
    headers = bearer("zuoxi")
    body = client.get("/api/v1/cases", **headers).json()
    assert body["count"] == 2
    assert {i["id"] for i in body["items"]} == {dispatched.pk, other.pk}
    assert body["items"][0]["caller_phone"] == "138****1234"
    assert body["items"][0]["caller_name"] == "张*"

    assert [
        i["id"] for i in client.get("/api/v1/cases?state=dispatched", **headers).json()["items"]
    ] == [dispatched.pk]
    assert [i["id"] for i in client.get("/api/v1/cases?q=施工", **headers).json()["items"]] == [
        other.pk
    ]
    assert (
        client.get(f"/api/v1/cases?unit={org['hly'].pk}", **headers).json()["count"] == 2
    )  # both in 华龙苑
    assert client.get(f"/api/v1/cases?unit={org['office'].pk}", **headers).json()["count"] == 0
    assert client.get("/api/v1/cases?received_from=2026-03-03", **headers).json()["count"] == 0
    assert client.get("/api/v1/cases?page_size=1&page=2", **headers).json()["count"] == 2
    assert len(client.get("/api/v1/cases?page_size=1&page=2", **headers).json()["items"]) == 1


def test_detail_has_timeline_and_masked_fields(client, bearer, dispatched):
    body = client.get(f"/api/v1/cases/{dispatched.pk}", **bearer("zuzhang")).json()
    assert [e["action"] for e in body["timeline"]] == ["receive", "sign", "dispatch"]
    assert body["address"] == "华龙苑南里****"
    assert body["lead_unit"]["name"] == "华龙苑南里社区"
    assert "13812341234" not in str(body)


def test_cases_out_of_scope_are_not_found(client, bearer, dispatched):
    response = client.get(f"/api/v1/cases/{dispatched.pk}", **bearer("outsider"))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "没有找到该工单,或您无权查看。"


def test_action_changes_the_case(client, bearer, dispatched):
    response = client.post(
        f"/api/v1/cases/{dispatched.pk}/actions/reply",
        {
            "contact_at": "2026-03-02T10:00:00+08:00",
            "contact_way": "电话",
            "facts": "属实",
            "actions": "已清理",
            "result": "已解决",
            "citizen_response": "满意",
        },
        content_type="application/json",
        **bearer("shequ"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.REPLIED
    assert Case.objects.get(pk=dispatched.pk).state == State.REPLIED


def test_not_allowed_is_409_and_changes_nothing(client, bearer, dispatched):
    response = client.post(
        f"/api/v1/cases/{dispatched.pk}/actions/sign",
        {},
        content_type="application/json",
        **bearer("zuoxi"),
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_allowed"
    assert "办理中" in error["message"]
    assert Case.objects.get(pk=dispatched.pk).version == dispatched.version


def test_bad_input_is_422_in_chinese(client, bearer, dispatched):
    response = client.post(
        f"/api/v1/cases/{dispatched.pk}/actions/extend",
        {"until": "明天", "reason": "x"},
        content_type="application/json",
        **bearer("shequ"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "until"
    assert "申请延期至" in response.json()["error"]["message"]
    assert Case.objects.get(pk=dispatched.pk).extension_requested_until is None


def test_stale_version_is_409_conflict(client, bearer, dispatched):
    response = client.post(
        f"/api/v1/cases/{dispatched.pk}/actions/urge",
        {"version": dispatched.version - 1},
        content_type="application/json",
        **bearer("zuoxi"),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_reveal_over_api_is_logged(client, bearer, dispatched):
    response = client.post(
        f"/api/v1/cases/{dispatched.pk}/reveal",
        {"field": "caller_phone"},
        content_type="application/json",
        **bearer("zuoxi"),
    )
    assert response.json() == {"field": "caller_phone", "value": "13812341234"}
    assert PiiAccess.objects.get().channel == "api"
    refused = client.post(
        f"/api/v1/cases/{dispatched.pk}/reveal",
        {"field": "caller_phone"},
        content_type="application/json",
        **bearer("shenhe"),
    )
    assert refused.status_code == 403
    assert PiiAccess.objects.count() == 1


def test_session_auth_works_for_the_browser(client, people, dispatched):
    client.force_login(people["shequ"])
    assert client.get("/api/v1/cases").json()["count"] == 1


def test_token_command_prints_a_working_token(client, people, dispatched, capsys):
    call_command("token", "ducha")
    token = capsys.readouterr().out.strip()
    response = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json()["count"] == 1


def test_openapi_docs_are_served_without_a_cdn(client, people):
    client.force_login(people["shuju"])
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert client.get("/api/openapi.json").status_code == 200


def test_timeline_times_are_exact(client, bearer, dispatched):
    body = client.get(f"/api/v1/cases/{dispatched.pk}", **bearer("zuzhang")).json()
    from django.utils.dateparse import parse_datetime

    assert parse_datetime(body["timeline"][2]["at"]) == at("2026-03-02 09:40")


def test_queue_and_more_filters(client, bearer, make_case, dispatched):
    fresh = make_case(platform="district", request_type="consult")
    headers = bearer("zuoxi")
    assert [
        i["id"] for i in client.get("/api/v1/cases?queue=received", **headers).json()["items"]
    ] == [fresh.pk]
    assert client.get("/api/v1/cases?platform=district", **headers).json()["count"] == 1
    assert client.get("/api/v1/cases?request_type=complaint", **headers).json()["count"] == 1
    refused = client.get("/api/v1/cases?queue=review", **headers)
    assert refused.status_code == 422
    assert "工作队列" in refused.json()["error"]["message"]


def test_the_lamp_is_live_not_the_stored_column(client, bearer, people, make_case, dispatched):
    """The worker refreshes the stored `lamp` only every minute (or not at all when it is
    down): the API computes the lamp at read time, as the list and the case page do."""
    # due 2026-03-09 09:00, long past; the stored column still says green
    Case.objects.filter(pk=dispatched.pk).update(lamp=Lamp.GREEN)
    # arrived a minute ago (sign clock 30 min): green, though the column says red
    fresh = make_case(received_at=timezone.now() - dt.timedelta(minutes=1))
    Case.objects.filter(pk=fresh.pk).update(lamp=Lamp.RED)
    headers = bearer("zuzhang")

    def detail(case):
        return client.get(f"/api/v1/cases/{case.pk}", **headers).json()["lamp"]

    assert (detail(dispatched), detail(fresh)) == (Lamp.RED, Lamp.GREEN)
    items = client.get("/api/v1/cases", **headers).json()["items"]
    assert {i["id"]: i["lamp"] for i in items} == {dispatched.pk: Lamp.RED, fresh.pk: Lamp.GREEN}
    # the same lamp as the case page
    client.force_login(people["zuzhang"])
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    assert 'data-lamp="red"' in page
