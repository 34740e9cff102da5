"""Bad input is a 4xx with a Chinese message, never a 500, and leaves the data unchanged."""

import json
import logging
from pathlib import Path

import pytest

from jiesu.cases.models import Case, CaseEvent


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def desk(client, people, dispatched):
    client.force_login(people["zuoxi"])
    return client


@pytest.mark.parametrize(
    "query",
    [
        "received_from=1899-01-01",
        "received_from=2100-01-01",
        "received_to=9999-12-31",
        "received_from=0001-01-01&received_to=0001-01-02",
        "unit=99999999999999999999999",
        "unit=-1",
        "community=1e9",
        "category=%00",
        "tag=" + "9" * 40,
        "page=99999999999999999999",
        "page=-5",
        "q=" + "%E5%99%AA" * 5000,
        "q=" + "+".join(["噪音"] * 1000),
        "state=" + "x" * 10000,
        "received_from=",
    ],
)
def test_case_list_filters_never_500(desk, query):
    response = desk.get("/cases/?" + query)
    assert response.status_code in (200, 400, 422), response.status_code
    if response.status_code >= 400:
        assert _chinese(response.content.decode())


@pytest.mark.parametrize(
    "query",
    [
        "received_from=1899-01-01",
        "received_to=2100-01-01",
        "received_from=99999-01-01",
        "unit=99999999999999999999999",
        "page=0",
        "page=100001",
        "page_size=100000",
        "q=" + "+".join(["噪音"] * 1000),
        "q=" + "%E5%99%AA" * 5000,
    ],
)
def test_api_filters_answer_chinese_json(desk, query):
    response = desk.get("/api/v1/cases?" + query)
    assert response.status_code in (200, 400, 422), (response.status_code, response.content[:300])
    if response.status_code >= 400:
        body = response.json()
        assert _chinese(body["error"]["message"]), body


def test_huge_json_body_is_refused_in_chinese(desk):
    body = json.dumps({"text": "噪" * (900 * 1024)})  # 2.7 MB in UTF-8
    response = desk.post(
        f"/api/v1/cases/{Case.objects.get().pk}/actions/note",
        body,
        content_type="application/json",
    )
    assert response.status_code in (400, 413)
    assert _chinese(response.json()["error"]["message"])
    assert not CaseEvent.objects.filter(action="note").exists()


def test_enormous_note_is_refused_and_nothing_changes(desk, dispatched):
    before = dispatched.version
    text = "很长的备注" * (1024 * 1024 // 15)  # about 1 MB in UTF-8
    response = desk.post(
        f"/api/v1/cases/{dispatched.pk}/actions/note",
        {"text": text},
        content_type="application/json",
    )
    assert response.status_code in (400, 413, 422), response.status_code
    assert _chinese(response.json()["error"]["message"])
    page = desk.post(f"/cases/{dispatched.pk}/act/note/", {"text": text[:300_000]})
    assert page.status_code in (400, 413, 422)
    assert _chinese(page.content.decode())
    dispatched.refresh_from_db()
    assert dispatched.version == before
    assert not CaseEvent.objects.filter(action="note").exists()


@pytest.mark.parametrize(
    "limit", ["99999999天", "99999999999999999999小时", "0天", "-3天", "1e9天"]
)
def test_impossible_time_limit_is_left_out_with_a_warning(client, people, org, limit):
    from jiesu.core.models import ApiToken

    token = ApiToken.issue(people["zuoxi"])
    base = {
        "platform": "city",
        "platform_no": "2026100000001",
        "received_at": "2026-10-08T09:00:00+08:00",
        "title": "路灯不亮",
        "content": "小区东门路灯坏了一周。",
        "request_type": "求助",
    }
    good = dict(base, platform_no="2026100000002")
    response = client.post(
        "/api/v1/cases/bulk",
        {"cases": [dict(base, due=limit), good]},
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content[:400]
    body = response.json()
    assert (body["created"], body["failed"]) == (2, 0)
    odd = body["results"][0]
    assert "办理时限" in odd["message"] and "该项未导入" in odd["message"]
    case = Case.objects.get(platform_no="2026100000001")
    assert (case.limit_days, case.limit_hours, case.platform_due_at) == (None, None, None)


def test_a_form_over_the_size_limit_gets_a_chinese_400(desk, dispatched):
    response = desk.post(f"/cases/{dispatched.pk}/act/note/", {"text": "噪" * (1024 * 1024)})
    assert response.status_code == 400
    assert "提交的内容过大" in response.content.decode()
    assert not CaseEvent.objects.filter(action="note").exists()


def test_an_error_is_written_to_the_log_file_with_its_traceback(settings):
    """The 500 page says the error was recorded: it is, with the traceback, in the var dir."""
    log = Path(settings.LOG_DIR) / "errors.log"
    before = log.stat().st_size if log.exists() else 0
    try:
        raise RuntimeError("测试用的错误")
    except RuntimeError:
        logging.getLogger("django.request").exception("Internal Server Error: /probe/")
    written = log.read_bytes()[before:].decode("utf-8")
    assert "Internal Server Error: /probe/" in written
    assert "Traceback" in written and "RuntimeError: 测试用的错误" in written


def test_api_docs_need_a_login(client, people):
    for path in ("/api/docs", "/api/openapi.json"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(people["shuju"])
    assert client.get("/api/openapi.json").json()["info"]["title"] == "接诉即办工作平台 API"


@pytest.mark.parametrize(
    "path",
    [
        "/cases/99999999999999999999/",
        "/cases/9223372036854775808/",
        "/api/v1/cases/99999999999999999999",
        "/assessment/applications/99999999999999999999/",
    ],
)
def test_ids_beyond_64_bits_are_not_found(desk, path):
    response = desk.get(path)
    assert response.status_code == 404, response.status_code
