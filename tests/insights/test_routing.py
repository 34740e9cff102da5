from jiesu.cases import workflow
from jiesu.insights.routing import suggest
from jiesu.knowledge.models import RoutingRule
from tests.conftest import at


def test_no_rule_and_no_history_suggests_nothing(make_case, categories):
    assert suggest(make_case(category=categories["stalls"])) == []


def test_a_rule_on_a_parent_category_applies_and_a_community_rule_wins(org, make_case, categories):
    RoutingRule.objects.create(category=categories["mid"], unit=org["office"])
    case = make_case(category=categories["stalls"])
    assert [s.unit_name for s in suggest(case)] == ["城市管理科"]
    RoutingRule.objects.create(category=categories["stalls"], community=org["hly"], unit=org["hly"])
    ranked = suggest(case)
    assert [s.unit_name for s in ranked] == ["华龙苑南里社区", "城市管理科"]
    assert ranked[0].reason == "派单规则:城乡建设->市容环卫->占道经营"
    # the community rule does not apply to a case in another community
    elsewhere = make_case(category=categories["stalls"], community=org["xyy"])
    assert [s.unit_name for s in suggest(elsewhere)] == ["城市管理科"]


def test_history_of_similar_dispatches(org, people, make_case, categories):
    for unit in [org["xyy"], org["xyy"], org["office"]]:
        past = make_case(category=categories["garbage"], received_at=at("2026-02-01 09:00"))
        workflow.sign(past, by=people["zuoxi"], at=at("2026-02-01 09:05"))
        workflow.dispatch(past, by=people["zuoxi"], lead_unit=unit, at=at("2026-02-01 09:10"))
    ranked = suggest(make_case(category=categories["garbage"]))
    assert [s.unit_name for s in ranked] == ["小辛庄村", "城市管理科"]
    assert ranked[0].reason == "历史同社区同类工单 2 件由该单位主办"
