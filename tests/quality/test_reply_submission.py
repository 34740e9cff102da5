"""The check runs when the unit submits its reply: contradictions hold the reply back on the
form (and the API) unless the unit ticks 仍要提交 with a reason, which the reviewer reads."""

import datetime as dt

from django.utils import timezone

from jiesu.cases.forms import ReplyForm
from jiesu.cases.models import Case, State
from tests.conftest import at

REPLY = {
    "reply-contact_at": "2026-03-02 10:00",
    "reply-contact_way": "电话",
    "reply-facts": "经现场核实,东门外确有流动摊位",
    "reply-actions": "联合城管清理并设置提示牌",
    "reply-result": "已解决",
    "reply-citizen_response": "诉求人表示满意",
}
# 已解决 with 不满意, and no measure
CONTRADICTED = dict(REPLY, **{"reply-actions": "暂无", "reply-citizen_response": "不满意"})
ANYWAY = {"reply-anyway": "on", "reply-anyway_reason": "诉求人要求的赔偿不属本单位职责"}


def form(case, data):
    bound = ReplyForm(data, case=case, prefix="reply")
    bound.is_valid()
    return bound


def test_a_clean_reply_passes_the_form(dispatched):
    bound = form(dispatched, REPLY)
    assert bound.is_valid() and bound.findings == [] and not bound.held
    assert "override" not in bound.cleaned_data
    assert {"anyway", "anyway_reason"}.isdisjoint(bound.cleaned_data)


def test_contradictions_hold_the_reply_back(dispatched):
    bound = form(dispatched, CONTRADICTED)
    assert not bound.is_valid() and bound.held
    (message,) = bound.non_field_errors()
    assert message.startswith("办理结果有3处问题:“采取措施”只写了“暂无”")
    assert "结果写“已解决”,但诉求人表示不满意或不认可" in message


def test_a_contact_time_in_the_future_holds_the_reply_back(dispatched):
    soon = timezone.localtime() + dt.timedelta(hours=2)
    bound = form(dispatched, dict(REPLY, **{"reply-contact_at": f"{soon:%Y-%m-%d %H:%M}"}))
    assert not bound.is_valid()
    assert [f.part for f in bound.findings] == ["contact_at"]


def test_mild_findings_do_not_hold_the_reply_back(dispatched):
    bound = form(dispatched, dict(REPLY, **{"reply-facts": "属实"}))
    assert bound.is_valid() and [f.severe for f in bound.findings] == [False]


def test_submitting_anyway_needs_a_reason(dispatched):
    bound = form(dispatched, dict(CONTRADICTED, **{"reply-anyway": "on"}))
    assert not bound.is_valid()
    assert bound.errors["anyway_reason"] == ["勾选“仍要提交”时须填写理由。"]
    bound = form(dispatched, dict(CONTRADICTED, **ANYWAY))
    assert bound.is_valid()
    assert bound.cleaned_data["override"] == {
        "reason": "诉求人要求的赔偿不属本单位职责",
        "findings": [
            "“采取措施”只写了“暂无”,没有实际内容。",
            "结果写“已解决”,但没有写采取了什么措施。",
            "结果写“已解决”,但诉求人表示不满意或不认可。",
        ],
    }


def test_the_page_holds_the_reply_back_and_shows_why(client, people, dispatched):
    client.force_login(people["shequ"])
    response = client.post(f"/cases/{dispatched.pk}/act/reply/", CONTRADICTED)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-reply-findings="3"' in page and 'data-held="yes"' in page
    assert 'data-reply-finding="citizen_response"' in page
    assert "data-anyway" in page and 'name="reply-anyway_reason"' in page
    assert 'data-panel="reply" open' in page
    case = Case.objects.get(pk=dispatched.pk)
    assert case.state == State.DISPATCHED and not case.reply
    assert list(case.events.values_list("action", flat=True)) == ["receive", "sign", "dispatch"]


def test_the_form_offers_submitting_anyway_only_once_held_back(client, people, dispatched):
    client.force_login(people["shequ"])
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    assert "data-reply-check" in page and "data-anyway" not in page


def test_submitted_anyway_the_reviewer_sees_findings_and_reason(client, people, dispatched):
    client.force_login(people["shequ"])
    response = client.post(f"/cases/{dispatched.pk}/act/reply/", dict(CONTRADICTED, **ANYWAY))
    assert response.status_code == 302
    case = Case.objects.get(pk=dispatched.pk)
    assert case.state == State.REPLIED
    assert case.reply["override"]["reason"] == "诉求人要求的赔偿不属本单位职责"
    assert case.events.get(action="reply").payload["override"] == case.reply["override"]
    client.force_login(people["shenhe"])
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    review = page[page.index("data-review") : page.index("可执行操作")]
    assert 'data-review-findings="3"' in review
    assert "data-override" in review
    assert "<span data-override-reason>诉求人要求的赔偿不属本单位职责</span>" in review
    assert "结果写“已解决”,但诉求人表示不满意或不认可" in review


def test_the_api_holds_the_reply_back_too(client, people, dispatched):
    body = {
        "contact_at": "2026-03-02T10:00:00+08:00",
        "contact_way": "电话",
        "facts": "经现场核实,东门外确有流动摊位",
        "actions": "/",
        "result": "已解决",
        "citizen_response": "诉求人表示满意",
    }
    url = f"/api/v1/cases/{dispatched.pk}/actions/reply"
    client.force_login(people["shequ"])
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("办理结果有2处问题")
    anyway = dict(body, anyway=True, anyway_reason="措施见所附照片")
    response = client.post(url, anyway, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["reply"]["override"]["reason"] == "措施见所附照片"


def test_the_live_check_reports_the_parts_filled_in(client, people, dispatched):
    client.force_login(people["shequ"])
    url = f"/cases/{dispatched.pk}/reply-check/"
    fragment = client.post(
        url, {"reply-result": "已解决", "reply-citizen_response": "不满意"}
    ).content.decode()
    assert 'data-reply-finding="citizen_response"' in fragment and 'data-held="yes"' in fragment
    assert "仍要提交" not in fragment and "缺少" not in fragment
    fragment = client.post(url, {"reply-facts": "属实"}).content.decode()
    assert 'data-held="no"' in fragment and "过于简单" in fragment
    assert client.post(url, REPLY).content.decode().strip() == ""


def test_the_live_check_is_for_whoever_may_reply(client, people, dispatched):
    client.force_login(people["shenhe"])
    response = client.post(f"/cases/{dispatched.pk}/reply-check/", REPLY)
    assert response.status_code == 403
    client.force_login(people["outsider"])
    assert client.post(f"/cases/{dispatched.pk}/reply-check/", REPLY).status_code == 404
    assert client.get(f"/cases/{dispatched.pk}/reply-check/").status_code == 405


def test_an_old_contact_time_is_fine_when_resubmitting_after_a_rejection(
    client, people, dispatched
):
    client.force_login(people["shequ"])
    assert client.post(f"/cases/{dispatched.pk}/act/reply/", REPLY).status_code == 302
    client.force_login(people["shenhe"])
    client.post(f"/cases/{dispatched.pk}/act/reject/", {"reject-reason": "请补充照片"})
    client.force_login(people["shequ"])
    second = dict(REPLY, **{"reply-contact_at": f"{at('2026-03-03 09:00'):%Y-%m-%d %H:%M}"})
    assert client.post(f"/cases/{dispatched.pk}/act/reply/", second).status_code == 302
