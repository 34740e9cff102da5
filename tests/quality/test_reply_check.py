from jiesu.cases import workflow
from jiesu.quality.reply_check import check_reply
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
