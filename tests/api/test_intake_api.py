"""Other systems send cases: create, idempotent re-send, update, bulk, limits."""

import pytest
from django.core.cache import cache

from jiesu.cases.models import Case, CaseEvent
from jiesu.core.models import ApiToken

CASE = {
    "platform": "city",
    "platform_no": "2026030200123",
    "received_at": "2026-03-02T09:15:00+08:00",
    "title": "华龙苑南里东门占道经营",
    "content": "来电人反映华龙苑南里东门晚上有商贩占道经营。",
    "request_type": "投诉",
    "category_path": "城乡建设->市容环卫->占道经营",
    "tags": ["每月一题"],
    "caller_name": "张三",
    "caller_phone": "13812341234",
    "community": "华龙苑南里社区",
    "due": "7天",
}


@pytest.fixture
def bearer(people):
    def make(username):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people[username])}"}

    return make


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_create_then_resend_then_update(client, bearer, categories):
    headers = bearer("zuoxi")
    first = post(client, "/api/v1/cases", CASE, headers)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["outcome"] == "created"
    assert body["case"]["caller_phone"] == "138****1234"
    assert body["case"]["category"] == "城乡建设->市容环卫->占道经营"
    assert body["case"]["timeline"][0]["action"] == "receive"
    case = Case.objects.get()
    assert case.limit_days == 7 and case.community.name == "华龙苑南里社区"

    again = post(client, "/api/v1/cases", CASE, headers)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1

    changed = post(client, "/api/v1/cases", dict(CASE, content="补充:摊贩更多了"), headers)
    assert (changed.status_code, changed.json()["outcome"]) == (200, "updated")
    assert [e["action"] for e in changed.json()["case"]["timeline"]] == ["receive", "update"]


def test_an_unknown_label_is_kept_and_received_as_other(client, bearer, categories):
    response = post(client, "/api/v1/cases", dict(CASE, request_type="抱怨"), bearer("zuoxi"))
    assert response.status_code == 201
    assert "诉求类型“抱怨”:未识别,暂按“其他”导入" in response.json()["message"]
    case = Case.objects.get()
    assert (case.request_type, case.source_labels) == ("other", {"request_type": "抱怨"})


def test_bad_values_are_422_in_chinese(client, bearer):
    response = post(client, "/api/v1/cases", dict(CASE, title="", content=""), bearer("zuoxi"))
    assert response.status_code == 422
    assert "标题和主要内容不能都为空" in response.json()["error"]["message"]
    assert not Case.objects.exists()
    missing = post(client, "/api/v1/cases", {"platform": "city"}, bearer("zuoxi"))
    assert missing.status_code == 422


def test_only_the_desk_may_send_cases(client, bearer):
    response = post(client, "/api/v1/cases", CASE, bearer("shequ"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_refused"


def test_bulk_each_row_succeeds_or_fails_alone(client, bearer, categories):
    cases = [
        dict(CASE, platform_no="A1"),
        dict(CASE, platform_no="A2", received_at="2026-03-02T10:00:00+08:00"),
        dict(CASE, platform_no="A3", title="", content=""),
        dict(CASE, platform_no="A1", platform="district"),
    ]
    response = post(client, "/api/v1/cases/bulk", {"cases": cases}, bearer("zuoxi"))
    body = response.json()
    assert (body["created"], body["failed"]) == (3, 1)
    assert [r["outcome"] for r in body["results"]] == ["created", "created", "failed", "created"]
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert Case.objects.filter(platform_no="A1").count() == 2


def test_rate_limit_is_429(client, bearer, settings):
    cache.clear()
    settings.JIESU_API_RATE = "3/min"
    headers = bearer("zuoxi")
    codes = [client.get("/api/v1/cases", **headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/cases", **headers).json()["error"]["code"] == "rate_limited"
    cache.clear()


def test_a_callback_result_sent_by_api_is_a_callback_and_a_bad_one_reopens(
    client, bearer, closed_case, people, django_capture_on_commit_callbacks
):
    case = closed_case("hly")
    body = {
        "platform": "city",
        "platform_no": case.platform_no,
        "received_at": "2026-10-05T09:00:00+08:00",
        "title": case.title,
        "content": case.content,
        "callback_valid": True,
        "callback_contacted": True,
        "callback_solved": "未解决",
        "callback_satisfaction": "满意",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/api/v1/cases", body, bearer("zuoxi"))
    assert (response.status_code, response.json()["outcome"]) == (200, "updated")
    callback, reopen = list(case.events.order_by("pk"))[-2:]
    assert (callback.action, callback.actor) == ("callback", people["zuoxi"])
    assert callback.payload == {
        "callback_valid": True,
        "callback_contacted": True,
        "callback_solved": "unsolved",
        "callback_satisfaction": "satisfied",
        "kind": "official",
        "source": "api",
    }
    assert (reopen.action, reopen.actor) == ("reopen", None)
    case.refresh_from_db()
    assert case.state == "dispatched" and case.callback_solved == "unsolved"
    assert not case.events.filter(action="update").exists()
