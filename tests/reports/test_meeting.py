"""调度会材料 (the dispatch meeting's pack): a small street built by hand, its numbers worked
out by hand, read back from the Word and Excel files and checked against the API."""

import datetime as dt

import docx
import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from jiesu.cases.models import Case
from jiesu.core.models import ApiToken
from jiesu.org.access import Reach
from jiesu.reports import documents, figures, meeting, windows
from tests.conftest import at
from tests.reports.conftest import PII_CONTENT
from tests.reports.test_documents import all_text

D = dt.date
MEETING_DAY = D(2026, 11, 30)  # a Monday: the pack covers 11-23 to 11-29
NOW = at("2026-11-30 10:00")
CALLERS = {  # phone: name
    "13812341234": "张三",  # three cases in the week, one the week after
    "13900001111": "李四",  # one case in the week
    "13700002222": "王五",
    "13600003333": "赵六",
    "13500004444": "孙七",
}
PLACE = "华龙苑南里东门"


def test_the_meeting_covers_the_last_complete_week_before_its_day(db):
    week = windows.meeting(MEETING_DAY)
    assert (week.start, week.end) == (at("2026-11-23 00:00"), at("2026-11-30 00:00"))
    assert week.label == "2026年11月23日至2026年11月29日"
    # any day of the meeting's week looks back on the same week; a Sunday is in its week
    assert windows.meeting(D(2026, 12, 4)) == week
    assert windows.meeting(D(2026, 12, 6)) == week
    assert windows.meeting(D(2026, 12, 7)).name == "2026-11-30"
    # without a date the meeting is today's
    assert windows.window("meeting", now=at("2026-12-02 08:00")) == week
    assert windows.window("meeting", date=MEETING_DAY, now=at("2027-01-01 08:00")) == week
    assert week.previous().name == "2026-11-16" and week.previous().kind == "meeting"
    assert (week.year_before().start, week.year_before().kind) == (
        at("2025-11-24 00:00"),
        "meeting",
    )


def _handle(case, people, unit, *, closed=None):
    """Signed 5 minutes after arrival, dispatched to `unit` after 20; closed at `closed`."""
    from jiesu.cases import workflow

    t = case.received_at
    workflow.sign(case, by=people["zuoxi"], at=t + dt.timedelta(minutes=5))
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=unit, at=t + dt.timedelta(minutes=20))
    if closed is not None:
        workflow.reply(
            case,
            by=people["zuzhang"],
            contact_at=t + dt.timedelta(hours=1),
            contact_way="电话",
            facts="属实",
            actions="已处理完毕",
            result="已解决",
            citizen_response="满意",
            at=at(closed) - dt.timedelta(hours=1),
        )
        workflow.approve(case, by=people["shenhe"], at=at(closed))
    return case


@pytest.fixture
def week(org, people, make_case, categories):
    """The week of 11-23 at 霍营街道; A is 城市管理科, B 华龙苑南里社区.

    - a1: A, 24-hour limit (due 11-24 09:00), closed 11-25 15:00: 30 hours over;
    - a2: A, due 11-25 09:00, open: 121 hours over at NOW; at 华龙苑南里东门;
    - b1: B, due 11-26 10:00, open: 96 hours over;  (a1, a2, b1: 张三's three calls)
    - ok: B, closed the day it came, at 华龙苑南里东门 too (李四's one call);
    - returned: 小辛庄村, returned 11-27 15:00 before dispatch;
    - old_open: A, received 11-18 with 30 days to go, open (green); old_closed: closed;
    - later: 张三 again on 11-30 08:00, unsigned: after the week, in no section.
    """
    from jiesu.cases import workflow

    def case(when, phone, **fields):
        return make_case(
            received_at=at(when),
            caller_phone=phone,
            caller_name=CALLERS[phone],
            **{"category": categories["stalls"], **fields},
        )

    A, B = org["office"], org["hly"]
    zhang, li, wang, zhao, sun = CALLERS
    made = {
        "a1": _handle(
            case("2026-11-23 09:00", zhang, limit_hours=24), people, A, closed="2026-11-25 15:00"
        ),
        "a2": _handle(
            case("2026-11-24 09:00", zhang, limit_hours=24, location=PLACE, content=PII_CONTENT),
            people,
            A,
        ),
        "b1": _handle(case("2026-11-25 10:00", zhang, limit_hours=24), people, B),
        "ok": _handle(
            case("2026-11-26 09:00", li, location=PLACE), people, B, closed="2026-11-26 16:00"
        ),
        "old_open": _handle(case("2026-11-18 09:00", zhao, limit_hours=720), people, A),
        "old_closed": _handle(case("2026-11-17 09:00", sun), people, B, closed="2026-11-17 17:00"),
        "later": case("2026-11-30 08:00", zhang),
    }
    returned = case("2026-11-27 14:00", wang, community=org["xyy"], category=categories["garbage"])
    workflow.sign(returned, by=people["zuoxi"], at=at("2026-11-27 14:10"))
    workflow.return_case(
        returned,
        by=people["zuoxi"],
        reason=f"不属本街道管辖,已告知{CALLERS[wang]}",
        at=at("2026-11-27 15:00"),
    )
    made["returned"] = returned
    for c in made.values():
        c.refresh_from_db()
    assert made["a1"].due_at == at("2026-11-24 09:00")
    assert made["a1"].closed_at == at("2026-11-25 15:00")
    assert made["a2"].current_due_at == at("2026-11-25 09:00")
    return made


@pytest.fixture
def pack(week, org, people, tmp_path):
    reach = Reach(people["zuzhang"], at=NOW)
    built = figures.build_figures(
        "meeting", windows.window("meeting", date=MEETING_DAY), reach=reach, now=NOW
    )
    files = {
        fmt: documents.build(
            "meeting",
            reach=reach,
            date=MEETING_DAY,
            unit=org["street"].pk,
            fmt=fmt,
            out=tmp_path / f"调度会材料.{fmt}",
            now=NOW,
        )
        for fmt in ("docx", "xlsx")
    }
    return built, files


def table(built, sheet):
    return next(t for t in built.tables() if t.sheet == sheet)


def test_numbers_by_hand(pack, week):
    built, _ = pack
    n = built.numbers
    assert built.title == "霍营街道12345市民服务热线工作调度会材料"
    assert built.subtitle == "2026年11月23日至2026年11月29日(未办结情况截至2026年11月30日10:00)"
    # received a1, a2, b1, ok, returned; closed a1 and ok; the week before: 2 received
    assert (n["received"], n["closed"], n["previous_received"]) == (5, 2, 2)
    assert (n["overdue"], n["overdue_closed"], n["overdue_open"]) == (3, 1, 2)
    assert table(built, "超期单位").rows == [["城市管理科", 2, 1, 1], ["华龙苑南里社区", 1, 0, 1]]
    listed = {row[0]: row for row in table(built, "超期工单").rows}
    assert [row[0] for row in table(built, "超期工单").rows] == [
        week["a2"].platform_no,  # A first, the longest over first
        week["a1"].platform_no,
        week["b1"].platform_no,
    ]
    assert listed[week["a1"].platform_no][3:6] == ["超期办结", "2026-11-24 09:00", 30.0]
    assert listed[week["a2"].platform_no][3:6] == ["在办超期", "2026-11-25 09:00", 121.0]
    assert listed[week["b1"].platform_no][5] == 96.0
    summary = listed[week["a2"].platform_no][6]
    assert "张*" in summary and "138****1234" in summary and "张三" not in summary
    # 退回: one, before dispatch, its reason masked
    assert (n["returned"], n["disputed"]) == (1, 0)
    assert table(built, "退回单位").rows == [["未派单", 1, 0]]
    [returned] = table(built, "退回工单").rows
    assert returned[3:6] == ["退回", "2026-11-27 15:00", "不属本街道管辖,已告知王*"]
    # 重复来电: 张三's three cases of the week (not the fourth, after it); 李四's one is no repeat
    assert (n["repeat_callers"], n["repeat_caller_cases"]) == (1, 3)
    assert table(built, "重复来电").rows == [
        [
            "张* 138****1234",
            3,
            "、".join(week[k].platform_no for k in ("a1", "a2", "b1")),
            "占道经营",
        ]
    ]
    # 重复点位: 华龙苑南里东门 twice; the community four times, 小辛庄村 once (no repeat)
    assert (n["repeat_places"], n["repeat_place_cases"]) == (1, 2)
    assert table(built, "重复点位").rows == [
        ["华龙苑南里社区", PLACE, 2, f"{week['a2'].platform_no}、{week['ok'].platform_no}"]
    ]
    assert table(built, "重复社区").rows == [["华龙苑南里社区", 4]]
    # 未办结 at NOW of the week and before: a2 and b1 (red), old_open (green, 30 days)
    assert (n["still_open"], n["still_open_red"], n["still_open_green"]) == (3, 2, 1)
    assert table(built, "未办结单位").rows == [
        ["城市管理科", 2, 1, 0, 1, 0],
        ["华龙苑南里社区", 1, 1, 0, 0, 0],
    ]
    open_rows = table(built, "未办结工单").rows
    assert [row[0] for row in open_rows] == [
        week["a2"].platform_no,  # A's red before its green
        week["old_open"].platform_no,
        week["b1"].platform_no,
    ]
    assert open_rows[1][4:6] == ["办理中", "绿灯"]
    overview = " ".join(built.sections[0].lines)
    assert "本周受理诉求5件(按来电时间),环比上升150.0%;办结2件(按办结时间)。" in overview
    assert "超期3件(超期办结1件,截至2026年11月30日10:00在办超期2件),涉及2个主办单位" in overview
    assert "其中城市管理科最多(2件)" in overview
    assert "仍有3件未办结,其中红灯(超期)2件、挂账0件" in overview


def test_files_show_the_numbers_and_no_personal_data(pack, week):
    _, files = pack
    document = docx.Document(files["docx"])
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "霍营街道12345市民服务热线工作调度会材料"
    assert "本周受理的工单中超期3件" in text
    assert "本周退回工单1件(按退回时间)" in text
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "主办单位")
    assert [c.text for c in grid.rows[1].cells] == ["城市管理科", "2", "1", "1"]
    callers = next(t for t in document.tables if t.rows[0].cells[0].text == "来电人")
    assert [c.text for c in callers.rows[1].cells][:2] == ["张* 138****1234", "3"]
    book = load_workbook(files["xlsx"])
    assert {
        "概况",
        "超期单位",
        "超期工单",
        "退回工单",
        "重复来电",
        "重复点位",
        "未办结单位",
    } <= set(book.sheetnames)
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=5, values_only=True)}
    assert (summary["受理量(按来电时间)"], summary["上期受理量"]) == (5, 2)
    units = list(book["超期单位"].iter_rows(min_row=3, values_only=True))
    assert units == [("城市管理科", 2, 1, 1), ("华龙苑南里社区", 1, 0, 1)]
    hours = {r[0]: r[5] for r in book["超期工单"].iter_rows(min_row=3, values_only=True)}
    assert hours[week["a2"].platform_no] == 121.0
    assert list(book["重复来电"].iter_rows(min_row=3, values_only=True))[0][:2] == (
        "张* 138****1234",
        3,
    )
    for path in files.values():
        everything = all_text(path)
        for phone, name in CALLERS.items():
            assert phone not in everything
            assert name not in everything
        assert "华龙苑南里12号楼" not in everything  # the callers' address
        assert "138****1234" in everything


def api_count(client, token, **params):
    response = client.get(
        "/api/v1/cases", {**params, "page_size": 1}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_counts_equal_the_case_list_where_it_has_the_filter(week, org, client, people):
    """The open overdue cases by unit are the 超期 queue's; the repeat caller's the search's
    for the phone; the community's and the open cases' the list's filters. (The API has no
    filter for 退回时间 or a closing after the due time: those are the ledgers'.) Built at
    the real clock, as the API answers: lamps are those of the same moment."""
    built = figures.build_figures(
        "meeting", windows.meeting(MEETING_DAY), reach=Reach(people["zuzhang"]), now=timezone.now()
    )
    token = ApiToken.issue(people["zuzhang"])
    week_days = {"received_from": "2026-11-23", "received_to": "2026-11-29"}
    units = {row[0]: row for row in table(built, "超期单位").rows}
    assert (units["城市管理科"][3], units["华龙苑南里社区"][3]) == (1, 1)  # red for good
    for unit in (org["office"], org["hly"]):
        assert (
            api_count(client, token, queue="overdue", lead_unit=unit.pk, **week_days)
            == units[unit.name][3]
        )
    assert api_count(client, token, q="13812341234", **week_days) == 3
    assert api_count(client, token, community=org["hly"].pk, **week_days) == 4
    still = {row[0]: row for row in table(built, "未办结单位").rows}
    for unit in (org["office"], org["hly"]):
        shown = still[unit.name]
        open_states = ("received", "accepted", "dispatched", "replied", "shelved")
        total = sum(
            api_count(client, token, state=s, lead_unit=unit.pk, received_to="2026-11-29")
            for s in open_states
        )
        red = api_count(
            client,
            token,
            state="dispatched",
            lamp="red",
            lead_unit=unit.pk,
            received_to="2026-11-29",
        )
        assert (total, red) == (shown[1], shown[2])
    assert built.numbers["still_open"] == 3
    # the returned case, counted by the state it stays in
    assert api_count(client, token, state="returned", **week_days) == built.numbers["returned"]
    assert Case.objects.filter(state="returned").count() == 1


def test_a_reader_of_one_unit_sees_its_cases_only(week, org, people):
    """The 科室 handler's pack: 城市管理科's cases only (a1, a2, old_open), no B."""
    built = figures.build_figures(
        "meeting",
        windows.meeting(MEETING_DAY),
        reach=Reach(people["keshi"], at=NOW),
        unit=org["office"].pk,
        now=NOW,
    )
    assert table(built, "超期单位").rows == [["城市管理科", 2, 1, 1]]
    assert built.numbers["still_open"] == 2
    # 张三's a1 and a2 are still a repeat caller in the office's week
    assert built.numbers["repeat_caller_cases"] == 2


def test_the_command_writes_the_pack(week, org, tmp_path):
    out = tmp_path / "meeting.xlsx"
    call_command(
        "report",
        "meeting",
        *("--date", "2026-11-30", "--unit", str(org["street"].pk)),
        *("--format", "xlsx", "--out", str(out)),
    )
    book = load_workbook(out)
    assert book["概况"]["A1"].value == "霍营街道12345市民服务热线工作调度会材料"
    # built at the real clock: the closed-late a1 and the two open ones are overdue for good
    assert sum(r[1] for r in book["超期单位"].iter_rows(min_row=3, values_only=True)) == 3


def test_long_lists_are_cut_and_the_counts_stay_whole(week, people, monkeypatch):
    monkeypatch.setattr(meeting, "LISTED", 2)
    monkeypatch.setattr(meeting, "REPEATS_LISTED", 0)
    built = figures.build_figures(
        "meeting", windows.meeting(MEETING_DAY), reach=Reach(people["zuzhang"], at=NOW), now=NOW
    )
    listed = {t.sheet: len(t.rows) for t in built.tables()}
    assert [listed[s] for s in ("超期工单", "未办结工单", "重复来电", "重复点位")] == [2, 2, 0, 0]
    n = built.numbers
    assert (n["overdue"], n["still_open"], n["repeat_callers"], n["repeat_places"]) == (3, 3, 1, 1)
    assert table(built, "超期单位").rows[0][1] == 2
    assert "清单仅列出前2件,完整清单请导出台账。" in built.sections[1].lines
    assert "清单仅列出来电次数最多的0人。" in built.sections[3].lines
