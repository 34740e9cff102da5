"""Shared personas: one street (霍营街道) with an office and two communities, a person per role."""

import datetime as dt
import itertools
import os
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LOCAL = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    """Beijing time from '2026-03-02 09:00'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


@pytest.fixture(scope="session", autouse=True)
def _audit_triggers_lifted_for_flush():
    """The audit log's triggers refuse the DELETE/TRUNCATE that empties the database after
    a transactional test; tests/audit/flush.py lifts them for that flush only."""
    from tests.audit.flush import lift_triggers_during_flush

    lift_triggers_during_flush()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JIESU_BACKUP_DIR = tmp_path / "backups"
    # no scheduled reports unless a test asks (tests/reports/test_jobs.py): a worker pass
    # would otherwise build nine reports in three formats each
    settings.JIESU_REPORT_SCHEDULE = {}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_where_tested(settings):
    """Tests sign people in with force_login, which gives no second factor; two-factor login
    is on (JIESU_2FA_ROLES) in tests/core/test_two_factor.py and the browser test of it."""
    settings.JIESU_2FA_ROLES = []


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Rolled-back test transactions fire no signals: start every test with empty caches."""
    from jiesu.assessment import rules
    from jiesu.cases import deadlines
    from jiesu.core import calendar

    caches = (calendar.clear_cache, deadlines.clear_cache, rules.clear_cache)
    for clear in caches:
        clear()
    yield
    for clear in caches:
        clear()


@pytest.fixture
def org(db):
    from jiesu.org.models import Unit, UnitKind

    district = Unit.objects.create(name="昌平区", kind=UnitKind.DISTRICT, code="110114")
    street = Unit.objects.create(
        name="霍营街道", kind=UnitKind.STREET, parent=district, code="110114010"
    )
    other_street = Unit.objects.create(name="回龙观街道", kind=UnitKind.STREET, parent=district)
    return {
        "district": district,
        "street": street,
        "other_street": other_street,
        "office": Unit.objects.create(name="城市管理科", kind=UnitKind.OFFICE, parent=street),
        "hly": Unit.objects.create(name="华龙苑南里社区", kind=UnitKind.COMMUNITY, parent=street),
        "xyy": Unit.objects.create(name="小辛庄村", kind=UnitKind.VILLAGE, parent=street),
        "elsewhere": Unit.objects.create(
            name="龙跃苑社区", kind=UnitKind.COMMUNITY, parent=other_street
        ),
    }


def _person(username, role, unit):
    from django.contrib.auth.models import User

    from jiesu.org.models import Membership

    user = User.objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def people(org):
    from jiesu.org.models import Role

    return {
        "admin": _person("admin", Role.ADMIN, org["street"]),
        "zuzhang": _person("zuzhang", Role.LEADER, org["street"]),
        "zuoxi": _person("zuoxi", Role.OPERATOR, org["street"]),
        "shenhe": _person("shenhe", Role.REVIEWER, org["street"]),
        "shuju": _person("shuju", Role.ANALYST, org["street"]),
        "keshi": _person("keshi", Role.OFFICE_HANDLER, org["office"]),
        "shequ": _person("shequ", Role.COMMUNITY_HANDLER, org["hly"]),
        "ducha": _person("ducha", Role.SUPERVISOR, org["district"]),
        "outsider": _person("outsider", Role.OPERATOR, org["other_street"]),
    }


@pytest.fixture
def make_case(org):
    from jiesu.cases import workflow
    from jiesu.cases.models import Platform, RequestType

    def make(**fields):
        values = {
            "platform": Platform.CITY,
            "platform_no": f"2026030{next(_numbers):07d}",
            "request_type": RequestType.COMPLAINT,
            "title": "小区门口占道经营",
            "content": "华龙苑南里东门每天晚上有商贩占道经营,噪音大,垃圾多。",
            "caller_name": "张三",
            "caller_phone": "13812341234",
            "address": "华龙苑南里12号楼3单元502",
            "district": org["district"],
            "street": org["street"],
            "community": org["hly"],
            "received_at": at("2026-03-02 09:00"),
        }
        values.update(fields)
        return workflow.receive(at=values["received_at"], **values)

    return make


@pytest.fixture
def dispatched(make_case, people, org):
    """A case signed and dispatched to 华龙苑南里社区."""
    from jiesu.cases import workflow

    case = make_case()
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:10"))
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["hly"], at=at("2026-03-02 09:40"))
    return case


@pytest.fixture
def categories(db):
    """城乡建设->市容环卫->占道经营 and 城乡建设->市容环卫->垃圾清运."""
    from jiesu.cases.models import Category

    top = Category.objects.create(name="城乡建设")
    mid = Category.objects.create(name="市容环卫", parent=top)
    return {
        "top": top,
        "mid": mid,
        "stalls": Category.objects.create(name="占道经营", parent=mid),
        "garbage": Category.objects.create(name="垃圾清运", parent=mid),
    }


@pytest.fixture
def closed_case(make_case, people, org):
    """A case received at `when`, dispatched to `unit`, closed, with a platform callback if
    any callback values are given."""

    def make(unit, when="2026-10-05 09:00", evaluation="full", **callback):
        from jiesu.cases import workflow

        case = make_case(received_at=at(when), evaluation_type=evaluation)
        t = case.received_at
        workflow.sign(case, by=people["zuoxi"], at=t + dt.timedelta(minutes=5))
        workflow.dispatch(
            case, by=people["zuoxi"], lead_unit=org[unit], at=t + dt.timedelta(minutes=20)
        )
        workflow.reply(
            case,
            by=people["zuzhang"],
            contact_at=t + dt.timedelta(hours=1),
            contact_way="电话",
            facts="属实",
            actions="已处理完毕",
            result="已解决",
            citizen_response="满意",
            at=t + dt.timedelta(hours=5),
        )
        workflow.approve(case, by=people["shenhe"], at=t + dt.timedelta(hours=6))
        if callback:
            values = {
                "valid": True,
                "contacted": True,
                "solved": "solved",
                "satisfaction": "satisfied",
            }
            values.update(callback)
            workflow.callback(case, by=people["zuoxi"], at=t + dt.timedelta(days=1), **values)
            # where steps commit (browser tests), a bad result has reopened the case by rule
            case.refresh_from_db()
        return case

    return make
