"""org.access on a hand-built tree: which cases a grant reaches, on which units, with which
roles on a case, in which period, and who holds a role on a unit."""

import datetime as dt

import pytest

from jiesu.cases.models import Case, CaseEvent
from jiesu.core.scoping import Scope, unscoped
from jiesu.org.access import DESK_ROLES, Reach
from jiesu.org.models import HANDLER_ROLES, Role, UnitKind
from tests.conftest import at

NOW = at("2026-03-02 12:00")


def seen(user, action="view", when=NOW):
    return set(Reach(user, at=when).cases(action).values_list("pk", flat=True))


@pytest.fixture
def cases(tree_case):
    """east_new: on 东街道, not dispatched; office: lead 城管科 (community 东一社区);
    e1: lead 东一社区 with 城管科 as co-unit; e2: lead 东二社区; west: lead 西一社区."""
    return {
        "east_new": tree_case("east", community="e1"),
        "office": tree_case("east", lead="office", community="e1"),
        "e1": tree_case("east", lead="e1", co=["office"], community="e1"),
        "e2": tree_case("east", lead="e2", community="e2"),
        "west": tree_case("west", lead="w1", community="w1"),
    }


def ids(cases, *names):
    return {cases[n].pk for n in names}


def test_a_district_grant_reaches_every_case_below_it(tree, person, cases):
    ducha = person("ducha", (Role.SUPERVISOR, tree["district"]))
    assert seen(ducha) == ids(cases, "east_new", "office", "e1", "e2", "west")


def test_a_street_grant_reaches_its_street_only(tree, person, cases):
    east = person("east_op", (Role.OPERATOR, tree["east"]))
    west = person("west_op", (Role.OPERATOR, tree["west"]))
    assert seen(east) == ids(cases, "east_new", "office", "e1", "e2")
    assert seen(west) == ids(cases, "west")


def test_an_office_grant_reaches_lead_and_co_unit_cases(tree, person, cases):
    keshi = person("keshi", (Role.OFFICE_HANDLER, tree["office"]))
    assert seen(keshi) == ids(cases, "office", "e1")  # e1 as co-unit


def test_a_community_grant_reaches_its_lead_cases_not_those_merely_located_there(
    tree, person, cases
):
    shequ = person("shequ", (Role.COMMUNITY_HANDLER, tree["e1"]))
    # east_new and office lie in 东一社区 but are not its work: only the case it leads
    assert seen(shequ) == ids(cases, "e1")
    other = person("shequ2", (Role.COMMUNITY_HANDLER, tree["e2"]))
    assert seen(other) == ids(cases, "e2")


def test_no_grant_reaches_nothing(tree, person, cases):
    nobody = person("nobody")
    assert seen(nobody) == set()
    assert Reach(nobody, at=NOW).roles == frozenset()
    assert not CaseEvent.objects.visible_to(Reach(nobody, at=NOW)).exists()


def test_an_inactive_user_reaches_nothing(tree, person, cases):
    gone = person("gone", (Role.OPERATOR, tree["east"]), active=False)
    assert seen(gone) == set()


def test_events_are_reached_with_their_case(tree, person, cases):
    shequ = person("shequ", (Role.COMMUNITY_HANDLER, tree["e1"]))
    events = CaseEvent.objects.visible_to(Reach(shequ, at=NOW))
    assert set(events.values_list("case_id", flat=True)) == ids(cases, "e1")
    assert events.count() == 3  # receive, sign, dispatch


def test_only_a_grant_in_force_reaches(tree, person, cases):
    january, february = at("2026-01-01 00:00"), at("2026-02-01 00:00")
    far = at("2099-01-01 00:00")
    expired = person("expired", (Role.OPERATOR, tree["east"], january, february))
    not_yet = person("not_yet", (Role.OPERATOR, tree["east"], far, None))
    current = person("current", (Role.OPERATOR, tree["east"], january, far))
    east = ids(cases, "east_new", "office", "e1", "e2")
    assert seen(expired) == set()
    assert seen(not_yet) == set()
    assert seen(current) == east
    # the period is [valid_from, valid_to): in force from its first moment, not at its end
    assert seen(expired, when=january) == east
    assert seen(expired, when=february - dt.timedelta(seconds=1)) == east
    assert seen(expired, when=february) == set()
    assert seen(not_yet, when=far) == east
    assert Reach(expired, at=NOW).roles == frozenset()
    assert Reach(expired, at=january).roles == {Role.OPERATOR}


def test_a_timed_grant_beside_a_standing_one_adds_only_while_in_force(tree, person, cases):
    cover = person(
        "cover",
        (Role.COMMUNITY_HANDLER, tree["e1"]),
        (Role.COMMUNITY_HANDLER, tree["e2"], at("2026-03-01 08:00"), at("2026-03-03 08:00")),
    )
    assert seen(cover) == ids(cases, "e1", "e2")
    assert seen(cover, when=at("2026-03-04 08:00")) == ids(cases, "e1")


def test_who_finds_holders_on_the_unit_and_above_not_below_nor_expired(tree, person):
    past, far = at("2026-01-01 00:00"), at("2099-01-01 00:00")
    person("district_op", (Role.OPERATOR, tree["district"]))
    person("east_op", (Role.OPERATOR, tree["east"]))
    person("west_op", (Role.OPERATOR, tree["west"]))
    person("e1_op", (Role.OPERATOR, tree["e1"]))
    person("old_op", (Role.OPERATOR, tree["east"], past, at("2026-02-01 00:00")))
    person("next_op", (Role.OPERATOR, tree["east"], far, None))
    person("gone_op", (Role.OPERATOR, tree["east"]), active=False)
    person("east_lead", (Role.LEADER, tree["east"]))
    person("shequ", (Role.COMMUNITY_HANDLER, tree["e1"]))

    def who(role, unit, when=None):
        return [u.username for u in Reach.who(role, tree[unit], at=when)]

    assert who(Role.OPERATOR, "east") == ["district_op", "east_op"]
    assert who(Role.OPERATOR, "e1") == ["district_op", "e1_op", "east_op"]
    assert who(Role.OPERATOR, "w1") == ["district_op", "west_op"]
    assert who(Role.OPERATOR, "district") == ["district_op"]
    assert who(Role.COMMUNITY_HANDLER, "east") == []  # 东一社区's handler is below
    assert who(Role.COMMUNITY_HANDLER, "e1") == ["shequ"]
    assert who(Role.LEADER, "e2") == ["east_lead"]
    assert who(Role.OPERATOR, "east", at("2026-01-15 00:00")) == [
        "district_op",
        "east_op",
        "old_op",
    ]
    assert "next_op" in who(Role.OPERATOR, "east", far)


def test_units_by_role_kind_and_granted_kind(tree, person):
    both = person("both", (Role.OPERATOR, tree["district"]), (Role.LEADER, tree["west"]))
    reach = Reach(both, at=NOW)

    def names(qs):
        return [u.name for u in qs]

    assert names(reach.units(kinds=[UnitKind.STREET])) == ["东街道", "西街道"]
    assert names(reach.units(roles={Role.LEADER})) == ["西街道", "西一社区", "市场所"]
    assert names(reach.units(roles=DESK_ROLES, kinds=[UnitKind.STREET])) == ["东街道", "西街道"]
    # desk roles held on a street: the district-wide grant is left out
    assert names(
        reach.units(roles=DESK_ROLES, kinds=[UnitKind.STREET], granted_kinds=[UnitKind.STREET])
    ) == ["西街道"]
    assert names(reach.units(roles={Role.OPERATOR}, granted_kinds=[UnitKind.STREET])) == []
    assert names(reach.units(roles=HANDLER_ROLES)) == []
    assert reach.home(DESK_ROLES, [UnitKind.STREET]) == tree["west"]
    assert reach.home(HANDLER_ROLES) is None
    assert reach.reaches_unit(tree["e2"], {Role.OPERATOR})
    assert not reach.reaches_unit(tree["e2"], {Role.LEADER})

    shequ = Reach(person("shequ", (Role.COMMUNITY_HANDLER, tree["e1"])), at=NOW)
    assert names(shequ.units()) == ["东一社区"]
    assert names(shequ.units(kinds=[UnitKind.STREET])) == []
    assert names(Reach(person("nobody"), at=NOW).units()) == []


def test_roles_on_a_case_with_and_without_co_units(tree, person, cases):
    def roles(user, case, **kw):
        return Reach(user, at=NOW).roles_on(cases[case], **kw)

    east_op = person("east_op", (Role.OPERATOR, tree["east"]), (Role.REVIEWER, tree["east"]))
    ducha = person("ducha", (Role.SUPERVISOR, tree["district"]))
    keshi = person("keshi", (Role.OFFICE_HANDLER, tree["office"]))
    shequ = person("shequ", (Role.COMMUNITY_HANDLER, tree["e1"]))
    # a handler role on a street reaches only cases its street's units lead
    street_handler = person("street_handler", (Role.OFFICE_HANDLER, tree["east"]))

    assert roles(east_op, "e2") == {Role.OPERATOR, Role.REVIEWER}
    assert roles(east_op, "east_new") == {Role.OPERATOR, Role.REVIEWER}
    assert roles(east_op, "west") == set()
    assert roles(ducha, "west") == {Role.SUPERVISOR}
    assert roles(keshi, "office") == {Role.OFFICE_HANDLER}
    assert roles(keshi, "e1") == set()  # only a co-unit there
    assert roles(keshi, "e1", co_units=True) == {Role.OFFICE_HANDLER}
    assert roles(keshi, "e2", co_units=True) == set()
    assert roles(shequ, "e1") == {Role.COMMUNITY_HANDLER}
    assert roles(shequ, "office") == set()  # located in 东一社区, led by 城管科
    assert roles(shequ, "east_new") == set()
    assert roles(street_handler, "e2") == {Role.OFFICE_HANDLER}
    assert roles(street_handler, "east_new") == set()  # no lead unit yet


def test_reveal_is_reached_only_by_the_roles_that_may_see_personal_data(tree, person, cases):
    analyst = person("analyst", (Role.ANALYST, tree["east"]))
    leader = person("leader", (Role.LEADER, tree["east"]))
    assert len(seen(analyst)) == 4
    assert seen(analyst, "reveal") == set()
    assert seen(leader, "reveal") == ids(cases, "east_new", "office", "e1", "e2")


def test_a_scope_refuses_an_action_it_does_not_declare(tree, person):
    reach = Reach(person("leader", (Role.LEADER, tree["east"])), at=NOW)
    with pytest.raises(ValueError, match="delete"):
        Case.objects.visible_to(reach, "delete")
    with pytest.raises(ValueError, match="reveal"):
        CaseEvent.objects.visible_to(reach, "reveal")
    with pytest.raises(ValueError):
        Scope(unit="street").roles_for("edit")


def test_an_unscoped_read_must_say_why(db):
    everything = Case.objects.all()
    assert unscoped(everything, why="路由建议统计本街道全部历史") is everything
    for why in ("", "   "):
        with pytest.raises(ValueError):
            unscoped(everything, why=why)


# --- each scope, stated by hand ---------------------------------------------------------

ALL = frozenset(Role)
DESK = {Role.LEADER, Role.OPERATOR}
# Which roles, held on a street, reach a row of that street, per model and action: what
# the people of the office are told, written out here rather than read from the models.
REACHED_BY = {
    ("cases.Case", "view"): ALL,
    ("cases.Case", "reveal"): DESK | HANDLER_ROLES,
    ("cases.CaseEvent", "view"): ALL,
    ("assessment.Application", "view"): DESK
    | {Role.EXEMPTION, Role.REVIEWER, Role.ANALYST, Role.SUPERVISOR},
    ("assessment.Application", "apply"): DESK | {Role.EXEMPTION},
    ("knowledge.RoutingRule", "view"): ALL,
    ("knowledge.RoutingRule", "edit"): {Role.LEADER},
    ("intake.ImportRun", "view"): DESK,
    ("intake.ColumnMapping", "view"): DESK,
    ("intake.ValueSynonym", "view"): DESK,
    ("intake.ValueSynonym", "change"): {Role.LEADER},
    ("core.PiiAccess", "view"): {Role.LEADER, Role.ADMIN},
    ("reports.ReportRun", "view"): {Role.LEADER, Role.ANALYST, Role.SUPERVISOR, Role.ADMIN},
    ("supervision.SupervisionOrder", "view"): DESK | {Role.SUPERVISOR},
    ("supervision.OrderAnswer", "answer"): HANDLER_ROLES,
}


@pytest.fixture
def rows(tree, tree_case):
    """One row of every scoped model on each street: {label: (east row, west row)}."""
    from jiesu.assessment.models import Application, ApplicationKind, ExemptionGround
    from jiesu.cases.models import Category, Platform
    from jiesu.core.models import PiiAccess
    from jiesu.intake.models import ColumnMapping, ImportRun, ValueSynonym
    from jiesu.knowledge.models import RoutingRule
    from jiesu.reports.models import ReportRun
    from jiesu.supervision.models import OrderAnswer, SupervisionOrder

    ground = ExemptionGround.objects.order_by("pk").first()
    category = Category.objects.create(name="占道经营")
    made = {}
    for street, lead in (("east", "office"), ("west", "market")):
        case = tree_case(street, lead=lead)
        author = case.events.last().actor
        made[street] = {
            "cases.Case": case,
            "cases.CaseEvent": case.events.last(),
            "assessment.Application": Application.objects.create(
                case=case,
                kind=ApplicationKind.EXEMPTION,
                ground=ground,
                explanation="不属于本街道职责。",
                period="2026-03",
                deadline=NOW + dt.timedelta(days=5),
                created_by=author,
            ),
            "knowledge.RoutingRule": RoutingRule.objects.create(
                category=category,
                community=tree["e1" if street == "east" else "w1"],
                unit=tree[lead],
            ),
            "intake.ImportRun": ImportRun.objects.create(
                platform=Platform.CITY,
                file_name="导出.xlsx",
                sha256="0" * 64,
                street=tree[street],
            ),
            "intake.ColumnMapping": ColumnMapping.objects.create(
                street=tree[street], platform=Platform.CITY, header="编号", field="platform_no"
            ),
            "intake.ValueSynonym": ValueSynonym.objects.create(
                street=tree[street], field="request_type", label="投诉件", value="complaint"
            ),
            "core.PiiAccess": PiiAccess.objects.create(
                user=author, case=case, field="caller_phone"
            ),
            "reports.ReportRun": ReportRun.objects.create(
                kind="monthly", title="月报", unit=tree[street]
            ),
        }
        order = SupervisionOrder.objects.create(
            number=f"{street}-1",
            source="district",
            received_at=NOW,
            demand="请反馈办理情况。",
            answer_due_at=NOW + dt.timedelta(days=2),
            street=tree[street],
            created_at=NOW,
        )
        made[street]["supervision.SupervisionOrder"] = order
        made[street]["supervision.OrderAnswer"] = OrderAnswer.objects.create(
            order=order, unit=tree[lead], forwarded_at=NOW
        )
    return {label: (made["east"][label], made["west"][label]) for label in made["east"]}


def test_the_hand_table_names_every_scoped_model_and_action():
    from django.apps import apps

    declared = {
        (m._meta.label, action)
        for m in apps.get_models()
        if hasattr(m, "scope")
        for action in m.scope.roles
    }
    assert declared == set(REACHED_BY)


@pytest.mark.parametrize("role", list(Role))
def test_each_scope_lets_exactly_its_roles_reach_a_row_of_their_street(role, tree, person, rows):
    from django.apps import apps

    east_user = Reach(person("east", (role, tree["east"])), at=NOW)
    district_user = Reach(person("whole", (role, tree["district"])), at=NOW)
    for (label, action), roles in REACHED_BY.items():
        east_row, west_row = rows[label]
        model = apps.get_model(label)

        def reached(reach, model=model, action=action, pair=(east_row.pk, west_row.pk)):
            found = model.objects.visible_to(reach, action).filter(pk__in=pair)
            return set(found.values_list("pk", flat=True))

        want = role in roles
        assert reached(east_user) == ({east_row.pk} if want else set()), (label, action)
        both = {east_row.pk, west_row.pk} if want else set()
        assert reached(district_user) == both, (label, action)
