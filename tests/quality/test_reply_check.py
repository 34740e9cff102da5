import pytest

from jiesu.cases import workflow
from jiesu.quality.reply_check import check_draft, check_reply, held_back, summary
from tests.conftest import at

GOOD = {
    "contact_way": "电话",
    "facts": "经现场核实,东门外晚间确有三处流动摊位",
    "actions": "联合城管执法队清理摊位,设置提示牌并安排夜间巡查",
    "result": "已解决,摊位已全部清理",
    "citizen_response": "诉求人表示满意",
}


def replied(case, people, **parts):
    values = dict(GOOD, contact_at=at("2026-03-02 10:00"))
    values.update(parts)
    return workflow.reply(case, by=people["shequ"], at=at("2026-03-02 15:00"), **values)


def test_a_complete_reply_has_no_findings(dispatched, people):
    assert check_reply(replied(dispatched, people)) == []


def test_placeholder_parts_are_flagged(dispatched, people):
    findings = check_reply(replied(dispatched, people, actions="无"))
    assert [(f.part, f.message) for f in findings] == [
        ("actions", "“采取措施”只写了“无”,没有实际内容。"),
        ("actions", "结果写“已解决”,但没有写采取了什么措施。"),
    ]


def test_solved_but_citizen_unhappy_is_a_contradiction(dispatched, people):
    findings = check_reply(
        replied(dispatched, people, citizen_response="诉求人表示不满意,要求继续处理")
    )
    assert [f.part for f in findings] == ["citizen_response"]


def test_result_both_solved_and_in_progress(dispatched, people):
    findings = check_reply(replied(dispatched, people, result="已解决,正在协调物业"))
    assert [f.part for f in findings] == ["result"]


def test_facts_copied_from_the_complaint_and_contact_before_arrival(dispatched, people):
    case = replied(dispatched, people, facts=dispatched.content, contact_at=at("2026-03-01 20:00"))
    assert {f.part for f in check_reply(case)} == {"facts", "contact_at"}


def test_short_parts_are_a_mild_warning(dispatched, people):
    findings = check_reply(replied(dispatched, people, facts="属实"))
    assert [(f.part, f.severe) for f in findings] == [("facts", False)]


# --- replies checked as they are submitted: hand-made parts, a submission time ----------

SUBMITTED = at("2026-03-02 15:00")


def written(**parts) -> dict:
    """A reply as the form hands it over: the contact time a datetime, not yet stored."""
    return {**GOOD, "contact_at": at("2026-03-02 10:00"), **parts}


def messages(case, reply, when=SUBMITTED) -> list[tuple[str, str]]:
    return [(f.part, f.message) for f in check_reply(case, reply, at=when)]


def test_a_good_reply_being_submitted_has_no_findings(dispatched):
    assert check_reply(dispatched, written(), at=SUBMITTED) == []


def test_a_contact_time_after_the_submission_is_in_the_future(dispatched):
    future = written(contact_at=at("2026-03-02 18:00"))
    assert messages(dispatched, future) == [
        ("contact_at", "联系时间晚于提交回复的时间(填成了将来的时间)。")
    ]
    # a phone clock a few minutes ahead is no finding; ten minutes is
    assert messages(dispatched, written(contact_at=at("2026-03-02 15:04"))) == []
    assert [p for p, _ in messages(dispatched, written(contact_at=at("2026-03-02 15:10")))] == [
        "contact_at"
    ]


def test_a_stale_reply_time_is_not_the_submission_time(dispatched, people):
    """After a rejection the case still carries the first reply's time: the check of a new
    reply uses the time it is submitted."""
    case = replied(dispatched, people)
    workflow.reject(case, by=people["shenhe"], reason="请补充", at=at("2026-03-02 16:00"))
    later = written(contact_at=at("2026-03-03 09:00"))
    assert messages(case, later, at("2026-03-03 10:00")) == []


def test_solved_but_unhappy_or_unsolved_in_the_citizens_words(dispatched):
    for response in ("诉求人表示不满意", "诉求人不认可处理结果", "诉求人称问题未解决"):
        assert messages(dispatched, written(citizen_response=response)) == [
            ("citizen_response", "结果写“已解决”,但诉求人表示不满意或不认可。")
        ], response
    assert messages(dispatched, written(result="正在协调物业", citizen_response="不满意")) == []


@pytest.mark.parametrize(
    "measure", ["无", "暂无", "/", "／", "无。", " 暂无措施 ", "——", "……", "N/A", "没有", "-"]
)
def test_a_placeholder_is_no_measure(dispatched, measure):
    found = messages(dispatched, written(actions=measure))
    assert found == [
        ("actions", f"“采取措施”只写了“{measure.strip()}”,没有实际内容。"),
        ("actions", "结果写“已解决”,但没有写采取了什么措施。"),
    ]


@pytest.mark.parametrize(
    "measure", ["无人机巡查后清理", "暂无法联系产权单位,已发函", "无证摊贩已劝离"]
)
def test_words_that_merely_start_like_a_placeholder_are_measures(dispatched, measure):
    assert messages(dispatched, written(actions=measure)) == []


def test_placeholders_in_other_parts(dispatched):
    found = messages(dispatched, written(contact_way="/", facts="无", citizen_response="暂无"))
    assert [p for p, _ in found] == ["contact_way", "facts", "citizen_response"]


def test_only_severe_findings_hold_a_submission_back(dispatched):
    mild = check_reply(dispatched, written(facts="属实"), at=SUBMITTED)
    assert [f.severe for f in mild] == [False] and held_back(mild) == []
    severe = check_reply(dispatched, written(actions="无", facts="属实"), at=SUBMITTED)
    assert [f.part for f in held_back(severe)] == ["actions", "actions"]
    assert summary(held_back(severe)) == (
        "办理结果有2处问题:“采取措施”只写了“无”,没有实际内容;"
        "结果写“已解决”,但没有写采取了什么措施。请修改后再提交;"
        "如确需按原样提交,请勾选“仍要提交”并填写理由。"
    )


def test_a_draft_is_checked_only_on_what_is_filled_in(dispatched):
    draft = {"contact_at": None, "result": "已解决", "actions": "", "citizen_response": "不满意"}
    assert [f.part for f in check_draft(dispatched, draft, at=SUBMITTED)] == ["citizen_response"]
    assert check_draft(dispatched, {}, at=SUBMITTED) == []
