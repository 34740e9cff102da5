"""visible_to(user): exactly the cases of the subtrees the user holds a role on."""

from jiesu.cases import workflow
from jiesu.cases.models import Case
from tests.conftest import at


def ids(user):
    return set(Case.objects.visible_to(user).values_list("pk", flat=True))


def test_scoping_by_unit_subtree(org, people, make_case):
    ours_hly = make_case()
    ours_office = make_case()
    undispatched = make_case()
    theirs = make_case(street=org["other_street"], community=org["elsewhere"])
    for case, unit in [(ours_hly, org["hly"]), (ours_office, org["office"])]:
        workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
        workflow.dispatch(case, by=people["zuoxi"], lead_unit=unit, at=at("2026-03-02 09:10"))
    workflow.sign(theirs, by=people["outsider"], at=at("2026-03-02 09:05"))

    street_cases = {ours_hly.pk, ours_office.pk, undispatched.pk}
    for desk in ["zuzhang", "zuoxi", "shenhe", "shuju", "admin"]:
        assert ids(people[desk]) == street_cases
    assert ids(people["shequ"]) == {ours_hly.pk}
    assert ids(people["keshi"]) == {ours_office.pk}
    assert ids(people["ducha"]) == street_cases | {theirs.pk}
    assert ids(people["outsider"]) == {theirs.pk}


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


def test_a_user_without_roles_sees_nothing(db, make_case):
    from django.contrib.auth.models import User

    make_case()
    assert ids(User.objects.create_user("nobody")) == set()
