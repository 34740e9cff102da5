"""The dashboard: its figures for a hand-built street, each figure's list, who lands on it."""

import datetime as dt
import html
import json
import re

import pytest
from django.utils import timezone

from jiesu.assessment import rules
from jiesu.assessment.queries import scores
from jiesu.cases.models import Case, Channel, Platform, State
from jiesu.dashboard import queries
from jiesu.org.access import Reach
from tests.conftest import LOCAL, at

NOW = at("2026-11-30 10:00")
H = dt.timedelta(hours=1)


def put(case, **fields):
    """Set a case's hot fields as the workflow would have left them."""
    Case.objects.filter(pk=case.pk).update(**fields)


def clock(due, warn):
    return {"current_due_at": due, "current_warn_at": warn}


def closed(when):
    return {"state": State.CLOSED, "closed_at": when, **clock(None, None)}


@pytest.fixture
def street(make_case, org, categories, now=NOW):
    """Eight cases around `now`: seven of 霍营街道, one of 回龙观街道 (see each line)."""
    hly, xyy = org["hly"], org["xyy"]
    made = {}

    def case(name, received, **fields):
        made[name] = make_case(received_at=received, title=f"工单{name}")
        put(made[name], **fields)

    # today (Beijing): A at its first second, C in the morning; B the second before midnight
    case(
        "A",
        now.replace(hour=0),
        category=categories["stalls"],
        state=State.RECEIVED,
        **clock(now + 2 * H, now + H),
    )
    case(
        "C",
        now - dt.timedelta(minutes=30),
        platform=Platform.DISTRICT,
        channel=Channel.WEB,
        community=xyy,
        category=categories["stalls"],
        state=State.RECEIVED,
        **clock(now + H / 6, now - H / 6),
    )
    case(
        "B",
        now.replace(hour=0) - dt.timedelta(seconds=1),
        platform=Platform.DISTRICT,
        channel=Channel.WEB,
        **closed(now.replace(hour=7, minute=59)),
    )
    case(
        "D",
        now - dt.timedelta(days=5),
        category=categories["mid"],
        state=State.DISPATCHED,
        lead_unit=org["office"],
        **clock(now - H, now - 3 * H),
    )
    case(
        "E",
        now - dt.timedelta(days=2),
        state=State.DISPATCHED,
        lead_unit=hly,
        **clock(now + H, now - H),
    )
    # the period 2026-12 begins on 11-19 00:00: F was received before it, closed at its start
    case("F", at("2026-11-10 12:00"), **closed(at("2026-11-19 00:00")))
    case("H", at("2026-11-20 12:00"), state=State.SHELVED, **clock(None, None))
    case(
        "G",
        now - H,
        street=org["other_street"],
        community=org["elsewhere"],
        state=State.RECEIVED,
        **clock(now - H / 2, now - H),
    )
    return made


def counts(figures):
    return {f.key: f.count for f in figures}


def test_the_figures_of_a_hand_built_street(street, people, org, categories):
    data = queries.dashboard(Reach(people["zuzhang"], at=NOW), NOW)
    today = data["today"]
    assert today["total"].count == 2  # A, C; B came a second before midnight
    assert counts(today["platforms"]) == {"city": 1, "district": 1}
    assert counts(today["channels"])["phone"] == 1 and counts(today["channels"])["web"] == 1
    assert sum(counts(today["channels"]).values()) == 2
    assert counts(data["open"]["lamps"]) == {"red": 1, "yellow": 2, "green": 1}
    assert counts(data["open"]["states"]) == {
        "received": 2,
        "accepted": 0,
        "dispatched": 2,
        "replied": 0,
        "shelved": 1,
    }
    week, month = data["trend"][7], data["trend"][30]
    assert [f.key for f in week["received"]][0] == "2026-11-24"
    assert [f.count for f in week["received"]] == [0, 1, 0, 0, 1, 1, 2]  # D, E, B, A+C
    assert [f.count for f in week["closed"]] == [0, 0, 0, 0, 0, 0, 1]  # B at 07:59
    assert (week["received_total"].count, week["closed_total"].count) == (5, 1)
    assert (month["received_total"].count, month["closed_total"].count) == (7, 2)
    by_day = {f.key: f.count for f in month["closed"]}
    assert by_day["2026-11-19"] == 1 and by_day["2026-11-18"] == 0  # F at 11-19 00:00
    assert month["received"][0].key == "2026-11-01" and len(month["received"]) == 30
    period = data["period"]
    assert period["period"] == "2026-12"
    # received in the period: A B C D E H; 市容环卫 counts its sub-category 占道经营 too
    assert [(f.label, f.count) for f in period["categories"]] == [("市容环卫", 3), ("占道经营", 2)]
    assert [(f.label, f.count) for f in period["communities"]] == [
        ("华龙苑南里社区", 5),
        ("小辛庄村", 1),
    ]
    assert period["categories"][1].params == {
        "received_from": "2026-11-19",
        "received_to": "2026-12-18",
        "category": categories["stalls"].pk,
    }
    units = [(u["unit"], u["red"].count, u["yellow"].count) for u in data["units"]]
    assert units == [("城市管理科", 1, 0), ("华龙苑南里社区", 0, 1)]


def test_the_districts_reader_counts_every_street(street, people, org):
    data = queries.dashboard(Reach(people["ducha"], at=NOW), NOW)
    assert data["today"]["total"].count == 3  # A and C, and 回龙观街道's G
    assert counts(data["open"]["lamps"]) == {"red": 2, "yellow": 2, "green": 1}
    assert counts(data["open"]["states"])["received"] == 3
    found = data["scores"]
    assert found["unit"] == org["district"] and found["ranked"] is None
    assert found["row"]["rank"] is None


def test_the_scores_are_the_streets_row_of_the_district(street, people, org, closed_case):
    closed_case("hly", when="2026-11-21 09:00")
    closed_case("hly", when="2026-11-21 10:00", solved="partly", satisfaction="basic")
    found = queries.period_scores(Reach(people["zuzhang"], at=NOW), NOW)
    district = scores(rules.period_of(NOW), org["district"])
    row = next(r for r in district["rows"] if r["unit"]["id"] == org["street"].pk)
    assert found["unit"] == org["street"] and found["row"] == row
    assert found["row"]["score"] is not None
    assert found["row"]["rank"] == 1 and found["ranked"] == 1  # 回龙观 has no callbacks
    assert found["row"]["score"] == scores(rules.period_of(NOW), org["street"])["pooled"]["score"]


FIGURE = re.compile(r'<a href="([^"]+)"[^>]*data-count="(\d+)"')
CHART = re.compile(r'<script id="(chart-[^"]+)" type="application/json">(.*?)</script>', re.S)


def links_of(page: str) -> list[tuple[str, int]]:
    """Every (list address, number) the panel shows: figures and chart elements."""
    found = [(html.unescape(url), int(n)) for url, n in FIGURE.findall(page)]
    for _, data in CHART.findall(page):
        for series in json.loads(data)["series"]:
            found += list(zip(series["urls"], series["values"], strict=True))
    return found


def listed(client, url: str) -> int:
    page = client.get(url).content.decode()
    return int(re.search(r'data-count="(\d+)"', page.split('data-form="case-filter"')[1])[1])


def test_every_figure_opens_a_list_of_as_many_cases(client, people, make_case, org, categories):
    # built around the real time: the list counts at the moment it is opened
    street_now = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    made = _street_now(make_case, org, categories, street_now)
    client.force_login(people["zuzhang"])
    page = client.get("/dashboard/").content.decode()
    links = links_of(page)
    assert len(links) > 60  # figures, 7- and 30-day trend points, lamps, states, tops, units
    nonzero = [(u, n) for u, n in links if n]
    assert len(nonzero) >= 20
    for url, n in links:
        assert listed(client, url) == n, url
    # the lead-unit and channel filters the dashboard added are in the links
    assert any("lead_unit=" in u and n for u, n in links)
    assert any("channel=web" in u and n for u, n in links)
    assert any("closed_from=" in u and n for u, n in links)
    assert made


def _street_now(make_case, org, categories, now):
    made = {}

    def case(name, received, **fields):
        made[name] = make_case(received_at=received, title=f"工单{name}")
        put(made[name], **fields)

    today = now.astimezone(LOCAL).replace(hour=0, minute=0)
    case(
        "A",
        max(today, now - 3 * H),
        category=categories["stalls"],
        state=State.RECEIVED,
        **clock(now + 2 * H, now + H),
    )
    case(
        "C",
        max(today, now - 2 * H),
        platform=Platform.DISTRICT,
        channel=Channel.WEB,
        community=org["xyy"],
        state=State.RECEIVED,
        **clock(now + H / 6, now - H / 6),
    )
    case("B", today - dt.timedelta(hours=3), channel=Channel.WEB, **closed(max(today, now - H)))
    case(
        "D",
        now - dt.timedelta(days=5),
        category=categories["mid"],
        state=State.DISPATCHED,
        lead_unit=org["office"],
        **clock(now - H, now - 3 * H),
    )
    case(
        "E",
        now - dt.timedelta(days=2),
        state=State.DISPATCHED,
        lead_unit=org["hly"],
        **clock(now + H, now - H),
    )
    case("F", now - dt.timedelta(days=20), **closed(now - dt.timedelta(days=12)))
    case("H", now - dt.timedelta(days=9), state=State.SHELVED, **clock(None, None))
    case(
        "G",
        now - H,
        street=org["other_street"],
        community=org["elsewhere"],
        state=State.RECEIVED,
        **clock(now - H / 2, now - H),
    )
    return made


def test_another_streets_reader_sees_only_theirs(client, people, make_case, org, categories):
    now = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    _street_now(make_case, org, categories, now)
    outsider = Reach(people["outsider"])
    data = queries.dashboard(outsider, timezone.now())
    assert counts(data["open"]["lamps"]) == {"red": 1, "yellow": 0, "green": 0}
    assert data["trend"][30]["received_total"].count == 1
    assert [f.label for f in data["period"]["communities"]] == ["龙跃苑社区"]
    assert data["units"] == []
    client.force_login(people["outsider"])
    page = client.get("/dashboard/").content.decode()
    assert "华龙苑南里社区" not in page and "城市管理科" not in page


@pytest.mark.parametrize(
    ("who", "lands"),
    [
        ("zuoxi", "/cases/"),
        ("keshi", "/cases/"),
        ("shequ", "/cases/"),
        ("shenhe", "/cases/"),
        ("zuzhang", "/dashboard/"),
        ("shuju", "/dashboard/"),
        ("ducha", "/dashboard/"),
        ("admin", "/dashboard/"),
    ],
)
def test_who_lands_where(client, people, who, lands):
    client.force_login(people[who])
    response = client.get("/")
    assert response.status_code == 302 and response.url == lands
    nav = client.get("/cases/").content.decode()
    assert ('data-nav="dashboard"' in nav) == (lands == "/dashboard/")


def test_the_wall_screen_has_no_navigation_and_polls_its_panel(client, people, db):
    client.force_login(people["zuzhang"])
    page = client.get("/dashboard/?screen=1").content.decode()
    assert 'class="screen"' in page and "topbar" not in page and 'data-nav="cases"' not in page
    assert 'hx-get="/dashboard/panel/?screen=1"' in page
    assert "/static/echarts/echarts.min.js" in page
    panel = client.get("/dashboard/panel/?screen=1").content.decode()
    assert 'data-section="today"' in panel and "<html" not in panel
