"""The demo office: 昌平区 → 霍营街道, its 19 real communities, offices, companies and people."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from jiesu.cases.models import Category, Tag
from jiesu.demo.topics import TAGS, TOPICS
from jiesu.org.access import Reach
from jiesu.org.models import Membership, Role, Unit, UnitKind

DISTRICT = ("昌平区", "110114")
STREET = ("霍营街道", "110114010")
COMMUNITIES_CSV = Path(__file__).parent / "fixtures" / "huoying_communities.csv"
OFFICES = (
    "城市管理办公室",
    "社区建设办公室",
    "平安建设办公室",
    "民生保障办公室",
    "物业管理办公室",
    "综合行政执法队",
    "霍营市场监管所",
    "社区服务中心",
)
COMPANIES = ("北京霍营物业管理有限公司", "昌平霍营供热有限公司")

# The logins people try; every one gets the demo password.
LOGINS = (
    ("admin", "赵敏", Role.ADMIN, STREET[0]),
    ("zuzhang", "王建军", Role.LEADER, STREET[0]),
    ("zuoxi", "李娜", Role.OPERATOR, STREET[0]),
    ("zuoxi2", "陈静", Role.OPERATOR, STREET[0]),
    ("shenhe", "刘洋", Role.REVIEWER, STREET[0]),
    ("shuju", "张晓燕", Role.ANALYST, STREET[0]),
    ("tichu", "郑雪梅", Role.EXEMPTION, STREET[0]),
    ("keshi", "孙志强", Role.OFFICE_HANDLER, "城市管理办公室"),
    ("shequ", "周丽华", Role.COMMUNITY_HANDLER, "华龙苑南里社区"),
    ("ducha", "吴国庆", Role.SUPERVISOR, DISTRICT[0]),
)
# Handlers of the other units: staff on the timelines, with no password.
STAFF_NAMES = (
    "马丽",
    "胡海涛",
    "郭婷",
    "何伟",
    "高秀英",
    "林峰",
    "罗静",
    "梁晨",
    "宋建华",
    "郑洁",
    "谢磊",
    "韩梅",
    "唐亮",
    "冯雪",
    "于海",
    "董丽",
    "萧文",
    "程刚",
    "曹颖",
    "袁超",
    "邓芳",
    "许斌",
    "傅红",
    "沈阳",
    "曾琳",
    "彭飞",
    "吕娟",
    "苏明",
    "卢敏",
    "蒋涛",
)


@dataclass
class Office:
    """Everything the case generator needs, loaded once."""

    district: Unit
    street: Unit
    communities: list[Unit]
    units: dict[str, Unit]
    users: dict[str, User]
    handlers: dict[int, User] = field(default_factory=dict)
    categories: dict[tuple[str, str, str], Category] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)


def short_name(village: str) -> str:
    """华龙苑南里社区居委会 → 华龙苑南里社区."""
    return village.removesuffix("居委会")


def community_rows() -> list[tuple[str, str]]:
    """(code, short name) of the 19 communities, from the shipped fixture."""
    with COMMUNITIES_CSV.open(encoding="utf-8") as f:
        return [(row["village_code"], short_name(row["village"])) for row in csv.DictReader(f)]


def exists() -> bool:
    return Unit.objects.filter(kind=UnitKind.STREET, code=STREET[1]).exists()


def build(password: str) -> Office:
    """Create the units, people, categories and tags of the demo office."""
    district = Unit.objects.create(name=DISTRICT[0], kind=UnitKind.DISTRICT, code=DISTRICT[1])
    street = Unit.objects.create(
        name=STREET[0], kind=UnitKind.STREET, code=STREET[1], parent=district
    )
    communities = [
        Unit.objects.create(name=name, kind=UnitKind.COMMUNITY, code=code, parent=street)
        for code, name in community_rows()
    ]
    units = {u.name: u for u in (district, street, *communities)}
    for name in OFFICES:
        units[name] = Unit.objects.create(name=name, kind=UnitKind.OFFICE, parent=street)
    for name in COMPANIES:
        units[name] = Unit.objects.create(name=name, kind=UnitKind.COMPANY, parent=street)
    office = Office(district, street, communities, units, users={})
    _add_people(office, password)
    _add_categories(office)
    office.tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    return office


def _add_people(office: Office, password: str) -> None:
    hashed = make_password(password)  # one slow hash for all the logins, which share it
    for username, display, role, unit_name in LOGINS:
        admin = role == Role.ADMIN
        user = User.objects.create(
            username=username,
            password=hashed,
            first_name=display,
            is_staff=admin,
            is_superuser=admin,
        )
        Membership.objects.create(user=user, unit=office.units[unit_name], role=role)
        office.users[username] = user
    office.handlers[office.units["城市管理办公室"].pk] = office.users["keshi"]
    office.handlers[office.units["华龙苑南里社区"].pk] = office.users["shequ"]
    units = [
        u
        for u in office.units.values()
        if u.kind not in (UnitKind.DISTRICT, UnitKind.STREET) and u.pk not in office.handlers
    ]
    for number, unit in enumerate(units, start=1):
        role = Role.COMMUNITY_HANDLER if unit.kind == UnitKind.COMMUNITY else Role.OFFICE_HANDLER
        user = User(username=f"chengban{number:02d}", first_name=STAFF_NAMES[number - 1])
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, unit=unit, role=role)
        office.handlers[unit.pk] = user
    for user in [*office.users.values(), *office.handlers.values()]:
        _ = Reach(user).grants  # warm the grants cached on the user object


def _add_categories(office: Office) -> None:
    nodes: dict[tuple[str, ...], Category] = {}
    for topic in TOPICS:
        for depth in range(1, 4):
            key = topic.path[:depth]
            if key not in nodes:
                parent = nodes.get(key[:-1])
                nodes[key] = Category.objects.create(name=key[-1], parent=parent)
        office.categories[topic.path] = nodes[topic.path]


def duty_roster(demo: Office, *, now) -> int:
    """The desk's roster for the current and the next month: the two 坐席员 alternate the
    day and night shifts, the 组长 takes the day shift on weekdays."""
    import datetime as dt

    from django.utils import timezone

    from jiesu.org import roster

    today = timezone.localtime(now).date()
    first = today.replace(day=1)
    after_next = (first + dt.timedelta(days=62)).replace(day=1)
    days = (after_next - first).days
    day_shift, night_shift = roster.shifts()[:2]
    a, b = demo.users["zuoxi"], demo.users["zuoxi2"]
    made = roster.fill_month(
        unit=demo.street,
        first=first,
        days=days,
        rota={day_shift: [a, b], night_shift: [b, a]},
        role=Role.OPERATOR,
    )
    leader = demo.users["zuzhang"]
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        if day.weekday() < 5:
            roster.assign(unit=demo.street, day=day, shift=day_shift, user=leader, role=Role.LEADER)
            made += 1
    return made
