"""visible_to(user): exactly the cases of the subtrees the user holds a role on."""

from jiesu.cases import workflow
from jiesu.cases.models import Case
from tests.conftest import at


def ids(user):
    return set(Case.objects.visible_to(user).values_list("pk", flat=True))


def test_co_units_see_the_cases_they_help_with(org, people, make_case):
    case = make_case()
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    workflow.dispatch(
        case,
        by=people["zuoxi"],
        lead_unit=org["office"],
        co_units=[org["hly"]],
        at=at("2026-03-02 09:10"),
    )
    assert ids(people["shequ"]) == {case.pk}
    # a co-unit may contact the citizen and add notes, but not reply for the lead unit
    assert "contact" in workflow.allowed_actions(people["shequ"], case)
    assert "reply" not in workflow.allowed_actions(people["shequ"], case)
    assert "reply" in workflow.allowed_actions(people["keshi"], case)


def test_redispatch_moves_visibility(org, people, dispatched):
    assert ids(people["shequ"]) == {dispatched.pk}
    workflow.redispatch(
        dispatched,
        by=people["zuoxi"],
        lead_unit=org["xyy"],
        reason="点位在小辛庄村",
        at=at("2026-03-02 10:00"),
    )
    assert ids(people["shequ"]) == set()
