"""A hand-built tree for the unit tests of org.access:

平安区 ─┬─ 东街道 ─┬─ 城管科 (office)
        │          ├─ 东一社区
        │          └─ 东二社区
        └─ 西街道 ─┬─ 西一社区
                   └─ 市场所 (office)
"""

import itertools

import pytest

from tests.conftest import at

_numbers = itertools.count(1)


@pytest.fixture
def tree(db):
    from jiesu.org.models import Unit, UnitKind

    district = Unit.objects.create(name="平安区", kind=UnitKind.DISTRICT)
    east = Unit.objects.create(name="东街道", kind=UnitKind.STREET, parent=district)
    west = Unit.objects.create(name="西街道", kind=UnitKind.STREET, parent=district)

    def unit(name, kind, parent):
        return Unit.objects.create(name=name, kind=kind, parent=parent)

    return {
        "district": district,
        "east": east,
        "west": west,
        "office": unit("城管科", UnitKind.OFFICE, east),
        "e1": unit("东一社区", UnitKind.COMMUNITY, east),
        "e2": unit("东二社区", UnitKind.COMMUNITY, east),
        "w1": unit("西一社区", UnitKind.COMMUNITY, west),
        "market": unit("市场所", UnitKind.OFFICE, west),
    }


@pytest.fixture
def person(db):
    """person(name, (role, unit[, valid_from, valid_to]), ...): a user with those grants."""
    from django.contrib.auth.models import User

    from jiesu.org.models import Membership

    def make(username, *grants, active=True):
        user = User.objects.create_user(username=username, is_active=active)
        for role, unit, *period in grants:
            valid_from, valid_to = (*period, None, None)[:2]
            Membership.objects.create(
                user=user, role=role, unit=unit, valid_from=valid_from, valid_to=valid_to
            )
        return user

    return make


@pytest.fixture
def tree_case(tree):
    """tree_case(street, lead=None, co=(), community=None): a case received on the street,
    signed and dispatched when a lead unit is given."""
    from django.contrib.auth.models import User

    from jiesu.cases import workflow
    from jiesu.cases.models import Platform, RequestType
    from jiesu.org.models import Membership, Role

    desk = User.objects.create_user(username=f"desk{next(_numbers)}")
    Membership.objects.create(user=desk, role=Role.LEADER, unit=tree["district"])

    def make(street, lead=None, co=(), community=None):
        case = workflow.receive(
            at=at("2026-03-02 09:00"),
            platform=Platform.CITY,
            platform_no=f"20260302{next(_numbers):06d}",
            request_type=RequestType.COMPLAINT,
            title="占道经营",
            content="东门每天晚上有商贩占道经营。",
            district=tree["district"],
            street=tree[street],
            community=tree[community] if community else None,
            received_at=at("2026-03-02 09:00"),
        )
        if lead:
            workflow.sign(case, by=desk, at=at("2026-03-02 09:05"))
            workflow.dispatch(
                case,
                by=desk,
                lead_unit=tree[lead],
                co_units=[tree[u] for u in co],
                at=at("2026-03-02 09:10"),
            )
        return case

    return make


# --- the demo office for the access matrix -------------------------------------------


@pytest.fixture(scope="module")
def demo_office(django_db_setup, django_db_blocker):
    """The demo's 霍营街道 with a few hundred cases and its applications, plus 回龙观街道
    (its own desk, community and cases), routing rules, import runs and reveals on both
    streets: built once per module in a transaction rolled back at its end."""
    from django.db import transaction
    from django.test.utils import override_settings

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        yield _build_office()
        transaction.set_rollback(True)


def _build_office():
    import datetime as dt

    from django.contrib.auth.models import User
    from django.db.models import Count
    from django.utils import timezone

    from jiesu.assessment.models import Application, ApplicationKind, ExemptionGround
    from jiesu.assessment.rules import period_of
    from jiesu.cases import services, workflow
    from jiesu.cases.models import Case, Platform, RequestType, State
    from jiesu.demo import applications, office
    from jiesu.demo.build import build_cases
    from jiesu.intake.models import ColumnMapping, ImportRun, ImportStatus, ValueSynonym
    from jiesu.knowledge.models import RoutingRule
    from jiesu.org.models import Membership, Role, Unit, UnitKind

    now = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=1)
    demo = office.build("demo-pass-42")
    build_cases(demo, count=160, months=3, seed=11, now=now, workers=1)
    applications.file_applications(demo, now=now, seed=11)
    users = dict(demo.users)
    units = demo.units
    hly, keshi_office = units["华龙苑南里社区"], units["城市管理办公室"]

    # a second community handler: the busiest other community's
    busiest = (
        Case.objects.filter(lead_unit__kind=UnitKind.COMMUNITY)
        .exclude(lead_unit=hly)
        .values("lead_unit")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_unit")
        .first()["lead_unit"]
    )
    users["shequ2"] = demo.handlers[busiest]
    community2 = Unit.objects.get(pk=busiest)

    other = Unit.objects.create(name="回龙观街道", kind=UnitKind.STREET, parent=demo.district)
    lyy = Unit.objects.create(name="龙跃苑社区", kind=UnitKind.COMMUNITY, parent=other)
    other_office = Unit.objects.create(name="回龙观城管科", kind=UnitKind.OFFICE, parent=other)

    def person(username, role, unit, **period):
        user = User.objects.create_user(username=username, password="pw")
        Membership.objects.create(user=user, role=role, unit=unit, **period)
        return user

    users["outsider"] = person("outsider", Role.OPERATOR, other)
    users["nobody"] = User.objects.create_user(username="nobody", password="pw")
    users["expired"] = person(
        "expired",
        Role.OPERATOR,
        demo.street,
        valid_from=now - dt.timedelta(days=60),
        valid_to=now - dt.timedelta(days=1),
    )
    lyy_handler = person("lyy_handler", Role.COMMUNITY_HANDLER, lyy)

    desk, outsider = users["zuoxi"], users["outsider"]
    numbers = iter(range(1, 100))

    def case(
        street, community, *, lead=None, co=(), until=State.RECEIVED, by=desk, platform="city"
    ):
        received = now - dt.timedelta(days=3, hours=next(numbers))
        made = workflow.receive(
            at=received,
            platform=platform,
            platform_no=f"{received:%Y%m%d}{9000000 + next(numbers):07d}",
            request_type=RequestType.COMPLAINT,
            title="小区门口占道经营",
            content="东门每天晚上有商贩占道经营,噪音大,垃圾多。",
            caller_name="张三",
            caller_phone="13812341234",
            address="小区12号楼3单元502",
            district=demo.district,
            street=street,
            community=community,
            received_at=received,
        )
        if lead is None:
            return made
        workflow.sign(made, by=by, at=received + dt.timedelta(minutes=5))
        workflow.dispatch(
            made, by=by, lead_unit=lead, co_units=co, at=received + dt.timedelta(minutes=20)
        )
        if until in (State.REPLIED, State.CLOSED):
            workflow.reply(
                made,
                by=users["zuzhang"] if street == demo.street else lyy_handler,
                contact_at=received + dt.timedelta(hours=1),
                contact_way="电话",
                facts="属实",
                actions="已处理完毕",
                result="已解决",
                citizen_response="满意",
                at=received + dt.timedelta(hours=5),
            )
        return made

    # the boundaries the matrix must hold whatever the generator drew; one caller, so the
    # cases from the district platform are possible duplicates of those from the city's
    edges = {
        "located_in_hly_led_by_office": case(
            demo.street, hly, lead=keshi_office, until=State.DISPATCHED
        ),
        "hly_as_co_unit": case(
            demo.street, community2, lead=community2, co=[hly], until=State.DISPATCHED
        ),
        "office_as_co_unit": case(
            demo.street, hly, lead=hly, co=[keshi_office], until=State.DISPATCHED
        ),
        "hly_not_dispatched": case(demo.street, hly, platform=Platform.DISTRICT),
        "other_received": case(other, lyy, by=outsider, platform=Platform.DISTRICT),
        "other_dispatched": case(other, lyy, lead=lyy, until=State.DISPATCHED, by=outsider),
        "other_office": case(other, lyy, lead=other_office, until=State.DISPATCHED, by=outsider),
        "other_replied": case(other, lyy, lead=lyy, until=State.REPLIED, by=outsider),
    }
    ground = ExemptionGround.objects.filter(active=True).order_by("pk").first()
    for key in ("other_replied", "other_dispatched"):
        made = edges[key]
        Application.objects.create(
            case=made,
            kind=ApplicationKind.EXEMPTION,
            ground=ground,
            explanation="所诉事项依法属于区级主管部门职责。",
            period=period_of(made.received_at),
            deadline=now + dt.timedelta(days=5),
            created_by=outsider,
        )

    categories = list(demo.categories.values())[:2]
    for category, street, unit, community in [
        (categories[0], demo.street, keshi_office, None),
        (categories[1], demo.street, units["社区建设办公室"], hly),
        (categories[0], other, other_office, lyy),
    ]:
        RoutingRule.objects.create(
            category=category, community=community, unit=unit, note=f"{street.name}的规则"
        )

    for street, by, name in [
        (demo.street, desk, "霍营-1.xlsx"),
        (demo.street, users["zuzhang"], "霍营-2.xlsx"),
        (other, outsider, "回龙观-1.xlsx"),
    ]:
        ImportRun.objects.create(
            platform=Platform.CITY,
            file_name=name,
            sha256=name.encode().hex()[:64],
            started_by=by,
            street=street,
            status=ImportStatus.DONE,
        )

    from jiesu.reports.models import ReportRun, RunStatus

    for unit, kind, by in [
        (demo.street, "monthly", None),
        (other, "monthly", None),
        (demo.street.parent, "weekly", None),
        (keshi_office, "special", users["zuzhang"]),
        (demo.street, "ledger", users["zuzhang"]),  # a ledger: its asker's alone
        (other, "ledger", outsider),
    ]:
        ReportRun.objects.create(
            kind=kind,
            title=f"{unit.name}-{kind}",
            unit=unit,
            requested_by=by,
            status=RunStatus.DONE,
        )

    from jiesu.supervision.models import OrderAnswer, SupervisionOrder

    for street, number, answered_by in [
        (demo.street, "QDB-1", (keshi_office, hly)),
        (demo.street, "SDB-2", (community2,)),
        (other, "QDB-3", (lyy, other_office)),
    ]:
        order = SupervisionOrder.objects.create(
            number=number,
            source="district" if number.startswith("Q") else "city",
            received_at=now - dt.timedelta(days=2),
            demand="请于时限内反馈办理情况。",
            answer_due_at=now + dt.timedelta(days=1),
            street=street,
            created_at=now - dt.timedelta(days=2),
        )
        order.cases.set(Case.objects.filter(street=street).order_by("pk")[:2])
        for unit in answered_by:
            OrderAnswer.objects.create(order=order, unit=unit, forwarded_at=now)

    for street, header, label in [
        (demo.street, "诉求编号", "投诉件"),
        (other, "来电编号", "求助件"),
        (None, "旧表头", None),  # saved before mappings belonged to streets
    ]:
        ColumnMapping.objects.create(
            street=street, platform=Platform.CITY, header=header, field="platform_no"
        )
        if street is not None:
            ValueSynonym.objects.create(
                street=street, field="request_type", label=label, value=RequestType.HELP
            )

    services.reveal(edges["office_as_co_unit"], by=desk, field="caller_phone")
    services.reveal(edges["other_dispatched"], by=outsider, field="caller_phone")
    services.reveal(edges["other_dispatched"], by=lyy_handler, field="caller_name")

    def first(**where):
        return Case.objects.filter(**where).exclude(pk__in=[c.pk for c in edges.values()])

    probes = {c.pk for c in edges.values()}
    for where in (
        {"lead_unit": hly},
        {"lead_unit": community2},
        {"lead_unit": keshi_office},
        {"lead_unit__kind": UnitKind.OFFICE, "state": State.REPLIED},
        {"street": demo.street, "state": State.RECEIVED},
        {"street": demo.street, "state": State.CLOSED},
    ):
        probes |= set(first(**where).order_by("pk").values_list("pk", flat=True)[:1])

    return {
        "now": now,
        "period": period_of(edges["other_received"].received_at),
        "first_received": Case.objects.order_by("received_at").first().received_at,
        "case_by_number": dict(Case.objects.values_list("platform_no", "pk")),
        "probes": sorted(probes),
        "applications": sorted(Application.objects.values_list("pk", flat=True)),
        "import_runs": sorted(ImportRun.objects.values_list("pk", flat=True)),
        "report_runs": sorted(ReportRun.objects.values_list("pk", flat=True)),
        "orders": sorted(SupervisionOrder.objects.values_list("pk", flat=True)),
        "order_answers": sorted(OrderAnswer.objects.values_list("pk", flat=True)),
        "rules": sorted(RoutingRule.objects.values_list("pk", flat=True)),
        "mappings": sorted(ColumnMapping.objects.values_list("pk", flat=True)),
        "synonyms": sorted(ValueSynonym.objects.values_list("pk", flat=True)),
        "users": users,
        "street": demo.street,
        "other_street": other,
        "hly": hly,
        "community2": community2,
        "office": keshi_office,
        "edges": edges,
    }
