"""Every reply stays on the case page, newest on top: a rejected one as 已驳回 with the
reviewer's reason, an approved one as 审核通过, the desk's own answer as such."""

from jiesu.cases import workflow
from jiesu.cases.queries import timeline
from jiesu.core.masking import own_data
from jiesu.quality.replies import reply_history
from tests.conftest import at


def reply(case, people, when, **parts):
    values = {
        "contact_at": at(f"2026-03-02 {when}"),
        "contact_way": "电话",
        "facts": "经现场核实,东门外确有流动摊位",
        "actions": "联合城管清理并设置提示牌",
        "result": "已解决",
        "citizen_response": "诉求人表示满意",
    }
    values.update(parts)
    return workflow.reply(case, by=people["shequ"], at=at(f"2026-03-02 {when}"), **values)


def history(case):
    return reply_history(list(timeline(case)), own_data(case))


def rejected_then_replied(case, people):
    reply(case, people, "11:00", actions="无")
    workflow.reject(
        case,
        by=people["shenhe"],
        reason="请写明采取的措施,联系13912345678",
        at=at("2026-03-02 12:00"),
    )
    return reply(case, people, "14:00", actions="清理摊位三处并设置提示牌")


def test_a_rejected_reply_stays_under_the_newer_one(dispatched, people):
    case = rejected_then_replied(dispatched, people)
    newer, older = history(case)
    assert (newer.number, newer.status, newer.status_label) == (2, "pending", "待审核")
    assert (older.number, older.status, older.status_label) == (1, "rejected", "已驳回")
    assert older.review_note == "请写明采取的措施,联系139****5678"
    assert (older.reviewer, older.reviewed_at) == ("shenhe", at("2026-03-02 12:00"))
    assert dict((p, t) for p, _, t in older.parts)["actions"] == "无"
    assert dict((p, t) for p, _, t in newer.parts)["contact_at"] == "2026-03-02 14:00"
    assert newer.unit == "华龙苑南里社区" and newer.by == "shequ"


def test_approval_and_a_later_reopen_are_shown(dispatched, people):
    case = reply(dispatched, people, "11:00")
    workflow.approve(case, by=people["shenhe"], note="同意", at=at("2026-03-02 12:00"))
    workflow.reopen(case, by=people["zuoxi"], reason="回访不满意", at=at("2026-03-05 09:00"))
    (entry,) = history(case)
    assert (entry.status_label, entry.review_note, entry.reopened) == (
        "审核通过",
        "同意",
        "回访不满意",
    )


def test_the_desks_own_answer_is_a_reply_too(make_case, people):
    case = make_case()
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    workflow.close(case, by=people["zuoxi"], answer="已告知办理流程", at=at("2026-03-02 09:30"))
    (entry,) = history(case)
    assert (entry.status_label, entry.unit, entry.parts) == (
        "接诉中心直接办结",
        "接诉中心",
        [("result", "答复内容", "已告知办理流程")],
    )


def test_the_case_page_shows_the_rejection_under_the_newer_reply(client, people, dispatched):
    case = rejected_then_replied(dispatched, people)
    client.force_login(people["shequ"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    section = page[page.index("data-replies") : page.index("<h2>附件</h2>")]
    assert section.index('data-reply-entry="2"') < section.index('data-reply-entry="1"')
    rejected = section[section.index('data-reply-entry="1"') :]
    assert 'data-reply-status="rejected"' in rejected and "已驳回" in rejected
    assert "驳回原因:请写明采取的措施,联系139****5678" in rejected
    assert "13912345678" not in page
    # the stable hooks name the latest reply's parts only
    assert section.count('data-reply="actions"') == 1
    assert section.index('data-reply="actions"') < section.index('data-reply-entry="1"')
