"""调度会材料: the pack for the weekly dispatch meeting, for one unit (a street, usually)
and the last complete week before the meeting (windows.meeting). It is a report kind like
the others: documents.build("meeting", …) writes it as Word, Excel or PDF from the Figures
built here.

Every count names the date it uses and is one of the pages' own conditions, on the
reader's cases of the unit (figures._Reader: the reach, then the unit's scope):

- 超期: cases received in the week (来电时间) closed after their due time, or open and past
  it at `now` (the 超期 queue's condition): the reports' and the 超期 ledger's condition
  (figures._overdue); hours over as the 超期 ledger counts them (ledgers.overdue_columns).
- 退回: cases returned in the week (退回时间), with their last 退回 or 派单异议 and its
  reason, as the 退回 ledger reads them (ledgers._returned).
- 重复来电: callers with REPEAT_CALLS or more cases received in the week. A caller is a
  phone number as the search compares it (its digest, cases.search.phone_keys: digits only,
  the country code dropped), as the reports' typical cases pick the most repeated caller.
  Shown masked: the name and the phone as core.masking masks them, never in full.
- 重复点位: places with REPEAT_PLACE or more cases received in the week: a 点位 (the
  community and the case's location, as the typical cases group them) and a community (the
  hot-community table of the reports). Not the caller's address: that is personal data, and
  masked it names only the estate.
- 未办结: cases received before the week's end and still open at `now` (OPEN_STATES, 挂账
  included), with the lamp at `now` of the running ones (deadlines.live_lamp).

"By unit" is by lead unit (主办单位), as the case list's and the API's `lead_unit` filter
counts; a case not dispatched is under 未派单. The case lists stop at LISTED rows and the
repeat callers and places at REPEATS_LISTED, each saying so (the counts are always whole);
a longer list is the ledger's. At a million cases a street's pack takes about 2 s (Excel)
to 3.5 s (Word, with its chart), most of it the 退回 read: 退回时间 has no index.
"""

import datetime as dt

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from jiesu.cases import deadlines, queues
from jiesu.cases.display import masked_pii
from jiesu.cases.models import OPEN_STATES, RUNNING_STATES, Case, Lamp, State
from jiesu.cases.workflow import ACTION_LABELS
from jiesu.core.localtime import LOCAL
from jiesu.core.masking import mask_text, own_data
from jiesu.core.scoping import unscoped
from jiesu.org.models import Unit
from jiesu.reports import ledgers
from jiesu.reports.figures import (
    RATES,
    TOP,
    Chart,
    Figures,
    Section,
    Table,
    _hot,
    _overdue,
    _rank_of,
    _Reader,
    change_text,
    count_text,
    pct_text,
    window_scores,
)
from jiesu.reports.windows import KINDS, Window

REPEAT_CALLS = 2  # a caller with this many cases received in the week calls repeatedly
REPEAT_PLACE = 2  # a 点位 or community with this many is a repeat place
LISTED = 300  # rows of a case list at most
REPEATS_LISTED = 50  # repeat callers and places listed at most (counted all)
SUMMARY_CHARS = 60
NO_UNIT = "未派单"
OPEN_WHY = (
    "open cases from the state index, each kept only if the reader's cases of the unit have it"
)
# what a case list reads of a case: its own columns, the caller's fields to mask with
CASE_FIELDS = (
    *("platform_no", "title", "content", "location", "company_name", "state"),
    *("caller_name", "caller_phone", "caller_account", "address"),
    *("received_at", "due_at", "current_due_at", "closed_at", "returned_at"),
    *("category_id", "category__name", "lead_unit_id", "lead_unit__name"),
)


def meeting_figures(window: Window, *, reach, unit: Unit, now: dt.datetime) -> Figures:
    """The pack's figures: an overview, then 超期, 退回, 重复来电, 重复点位 and 未办结."""
    r = _Reader(reach, unit, window, now)
    numbers = _headline(r)
    sections = [
        _overdue_cases(r, numbers),
        _returned_cases(r, numbers),
        _repeat_callers(r, numbers),
        _repeat_places(r, numbers),
        _still_open(r, numbers),
    ]
    return Figures(
        kind="meeting",
        window=window,
        unit=unit,
        title=f"{unit.name}12345市民服务热线工作{KINDS['meeting']}",
        subtitle=f"{window.label}(未办结情况{_as_of(now)})",
        issued=now,
        sections=[_overview(r, numbers), *sections],
        numbers=numbers,
    )


# --- helpers -----------------------------------------------------------------------------


def _as_of(now: dt.datetime) -> str:
    return f"截至{now.astimezone(LOCAL):%Y年%m月%d日%H:%M}"


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else f"{value.astimezone(LOCAL):%Y-%m-%d %H:%M}"


def _unit_name(case) -> str:
    return case.lead_unit.name if case.lead_unit_id else NO_UNIT


def _category(case) -> str:
    """The category's own name (占道经营): the whole path does not fit a list's column."""
    return case.category.name if case.category_id else "未分类"


def _summary(case) -> str:
    """The content masked (the caller's own data and any number in it), then cut short."""
    text = " ".join(masked_pii(case)["content"].split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "……"


def _by_unit(cases, **counts) -> list[tuple[str, dict]]:
    """(unit name, counts) per lead unit, the most first: `counts` name Count()s."""
    rows = (
        cases.values("lead_unit_id", "lead_unit__name")
        .annotate(total=Count("pk"), **counts)
        .order_by()
    )
    found = [(row.pop("lead_unit__name") or NO_UNIT, row) for row in rows]
    return sorted(found, key=lambda item: (-item[1]["total"], item[0]))


def _listed(cases, order) -> list:
    """The cases of a week's list (a few hundred at most) in the order given (a key of a
    case), at most LISTED of them."""
    rows = list(cases.select_related("category", "lead_unit").only(*CASE_FIELDS))
    return sorted(rows, key=order)[:LISTED]


def _unit_place(units: list[tuple[str, dict]]) -> models.Case:
    """A case's lead unit's place in `units` (from _by_unit), to list them in that order."""
    return models.Case(
        *(
            models.When(
                Q(lead_unit__isnull=True)
                if row["lead_unit_id"] is None
                else Q(lead_unit_id=row["lead_unit_id"]),
                then=models.Value(i),
            )
            for i, (_, row) in enumerate(units)
        ),
        default=models.Value(len(units)),
        output_field=models.IntegerField(),
    )


def _units_line(units, *, tail: str = "。") -> list[str]:
    """The sentence naming the first five units with their counts, or none."""
    if not units:
        return []
    named = "、".join(f"{name}{count_text(row['total'])}件" for name, row in units[:5])
    return [f"按主办单位:{named}{'等' if len(units) > 5 else ''}{tail}"]


def _cut_note(total: int) -> list[str]:
    if total <= LISTED:
        return []
    return [f"清单仅列出前{LISTED}件,完整清单请导出台账。"]


def _headline(r: _Reader) -> dict:
    """The numbers every report has (documents and the Excel 概况 sheet show them): the
    week's 受理量, 办结量, rates and score counted as a 周报 counts them."""
    pooled = window_scores(r.window, r.unit)["pooled"]
    previous, year_before = r.window.previous(), r.window.year_before()
    rank, ranked = _rank_of(r.reach, r.unit, r.window)
    return {
        "received": pooled["received"],
        "closed": pooled["closed"],
        **{key: pooled[key] for key, _ in RATES},
        "score": pooled["score"],
        "rank": rank,
        "ranked": ranked,
        "previous_received": r.received(previous).count() if r.has_data(previous) else None,
        "year_before_received": (
            r.received(year_before).count() if r.has_data(year_before) else None
        ),
    }


# --- the sections ------------------------------------------------------------------------


def _overview(r: _Reader, n: dict) -> Section:
    as_of = _as_of(r.now)
    lines = [
        f"本周受理诉求{count_text(n['received'])}件(按来电时间),"
        f"{change_text(n['received'], n['previous_received'], '环比')};"
        f"办结{count_text(n['closed'])}件(按办结时间)。"
    ]
    if n["overdue"]:
        line = (
            f"本周受理的工单中超期{count_text(n['overdue'])}件(超期办结"
            f"{count_text(n['overdue_closed'])}件,{as_of}在办超期{count_text(n['overdue_open'])}件)"
        )
        if n["overdue_units"]:
            line += (
                f",涉及{n['overdue_units']}个主办单位,其中{n['overdue_top_unit']}最多"
                f"({count_text(n['overdue_top_count'])}件)"
            )
        lines.append(line + "。")
    else:
        lines.append(f"本周受理的工单中没有超期工单({as_of})。")
    lines.append(
        f"本周退回工单{count_text(n['returned'])}件(按退回时间),"
        f"其中派单异议{count_text(n['disputed'])}件。"
    )
    lines.append(
        f"本周同一来电人来电{REPEAT_CALLS}次及以上的{count_text(n['repeat_callers'])}人、"
        f"共{count_text(n['repeat_caller_cases'])}件;同一点位反映{REPEAT_PLACE}次及以上的"
        f"{count_text(n['repeat_places'])}处、共{count_text(n['repeat_place_cases'])}件。"
    )
    lines.append(
        f"{as_of},上周及以前受理的工单仍有{count_text(n['still_open'])}件未办结,"
        f"其中红灯(超期){count_text(n['still_open_red'])}件、"
        f"挂账{count_text(n['still_open_shelved'])}件。"
    )
    if n["score"] is not None:
        rates = "、".join(f"{label}{pct_text(n[key])}" for key, label in RATES)
        lines.append(f"本周受理工单的{rates},综合成绩{n['score']:.1f}分(按来电时间)。")
    return Section("一、总体情况", lines)


def _overdue_cases(r: _Reader, n: dict) -> Section:
    overdue = r.received().filter(_overdue(r))
    # open and past due now: the 超期 queue, what the API's queue=overdue lists
    open_late = queues.condition("overdue", r.reach, r.now)
    units = _by_unit(overdue, open_late=Count("pk", filter=open_late))
    late = {title: value for title, _, value in ledgers.overdue_columns(r.now)}["超期时长(小时)"]
    rank = {row["lead_unit_id"]: i for i, (_, row) in enumerate(units)}
    cases = _listed(overdue, lambda c: (rank[c.lead_unit_id], -(late(c, None) or 0), c.pk))
    n["overdue"] = sum(row["total"] for _, row in units)
    n["overdue_open"] = sum(row["open_late"] for _, row in units)
    n["overdue_closed"] = n["overdue"] - n["overdue_open"]
    dispatched = [(name, row) for name, row in units if row["lead_unit_id"] is not None]
    n["overdue_units"] = len(dispatched)
    n["overdue_top_unit"] = dispatched[0][0] if dispatched else None
    n["overdue_top_count"] = dispatched[0][1]["total"] if dispatched else 0
    as_of = _as_of(r.now)
    lines = [
        f"本周受理的工单中(按来电时间),超期办结或{as_of}在办超期的共{count_text(n['overdue'])}件。"
    ]
    lines += _units_line(units)
    lines += _cut_note(n["overdue"])
    rows = []
    for case in cases:
        closed = case.closed_at is not None
        rows.append(
            [
                case.platform_no,
                _category(case),
                _unit_name(case),
                "超期办结" if closed else "在办超期",
                _moment(case.due_at if closed else case.current_due_at),
                late(case, None),
                _summary(case),
            ]
        )
    return Section(
        "二、超期工单",
        lines,
        [
            Table(
                "超期单位",
                f"超期工单按主办单位(本周受理,按来电时间;在办超期{as_of})",
                ["主办单位", "超期工单", "超期办结", "在办超期"],
                ["text", "int", "int", "int"],
                [
                    [name, row["total"], row["total"] - row["open_late"], row["open_late"]]
                    for name, row in units
                ],
            ),
            Table(
                "超期工单",
                "超期工单清单(超期办结按办结时限,在办超期按当前环节时限;诉求内容已脱敏)",
                ["工单编号", "问题分类", "主办单位", "超期情形", "时限", "超期(小时)", "诉求摘要"],
                ["text", "text", "text", "text", "text", "score", "text"],
                rows,
            ),
        ],
        Chart(
            "overdue_units",
            "各主办单位超期工单",
            "barh",
            [name for name, _ in units[:10]],
            [row["total"] for _, row in units[:10]],
        )
        if units
        else None,
    )


def _returned_cases(r: _Reader, n: dict) -> Section:
    w = r.window
    # no index has 退回时间: the unit's cases are read once (as the reports' 退回 section
    # reads them), with the 退回 ledger's last return and its reason, and counted here
    returned = ledgers._returned(r.cases.filter(returned_at__gte=w.start, returned_at__lt=w.end))
    found = list(returned.select_related("category", "lead_unit").only(*CASE_FIELDS))
    tally = {}
    for case in found:
        _, row = tally.setdefault(
            case.lead_unit_id,
            (_unit_name(case), {"lead_unit_id": case.lead_unit_id, "total": 0, "disputes": 0}),
        )
        row["total"] += 1
        row["disputes"] += case.return_action == "dispute"
    units = sorted(tally.values(), key=lambda item: (-item[1]["total"], item[0]))
    rank = {row["lead_unit_id"]: i for i, (_, row) in enumerate(units)}
    cases = sorted(found, key=lambda c: (rank[c.lead_unit_id], c.returned_at, c.pk))[:LISTED]
    n["returned"] = len(found)
    n["disputed"] = sum(row["disputes"] for _, row in units)
    lines = [
        f"本周退回工单{count_text(n['returned'])}件(按退回时间),"
        f"其中派单异议{count_text(n['disputed'])}件。"
    ]
    lines += _units_line(units, tail="(未派单的为街道直接退回)。")
    lines += _cut_note(n["returned"])
    rows = [
        [
            case.platform_no,
            _category(case),
            _unit_name(case),
            ACTION_LABELS.get(case.return_action or "", ""),
            _moment(case.returned_at),
            mask_text(case.return_reason or "", own_data(case)),
        ]
        for case in cases
    ]
    return Section(
        "三、退回工单",
        lines,
        [
            Table(
                "退回单位",
                "退回工单按主办单位(按退回时间)",
                ["主办单位", "退回量", "其中派单异议"],
                ["text", "int", "int"],
                [[name, row["total"], row["disputes"]] for name, row in units],
            ),
            Table(
                "退回工单",
                "退回工单清单(按退回时间;退回原因已脱敏)",
                ["工单编号", "问题分类", "主办单位", "退回类型", "退回时间", "退回原因"],
                ["text"] * 6,
                rows,
            ),
        ],
    )


def _repeat_callers(r: _Reader, n: dict) -> Section:
    received = r.received()
    callers = list(
        received.exclude(caller_phone_digest="")
        .values_list("caller_phone_digest")
        .annotate(k=Count("pk"))
        .filter(k__gte=REPEAT_CALLS)
        .order_by("-k", "caller_phone_digest")
    )
    n["repeat_callers"] = len(callers)
    n["repeat_caller_cases"] = sum(count for _, count in callers)
    callers = callers[:REPEATS_LISTED]
    wanted = {digest for digest, _ in callers}
    cases = {}
    for case in (
        received.filter(caller_phone_digest__in=wanted)
        .select_related("category")
        .only(*CASE_FIELDS, "caller_phone_digest")
        .order_by("received_at", "pk")
    ):
        cases.setdefault(case.caller_phone_digest, []).append(case)
    rows = []
    for digest, count in callers:
        theirs = cases[digest]
        shown = masked_pii(theirs[-1])  # as the latest case names the caller
        who = " ".join(v for v in (shown["caller_name"], shown["caller_phone"]) if v)
        rows.append(
            [
                who,
                count,
                "、".join(c.platform_no for c in theirs),
                "、".join(dict.fromkeys(_category(c) for c in theirs)),
            ]
        )
    rows.sort(key=lambda row: (-row[1], row[2]))
    lines = [
        f"本周(按来电时间)同一来电人来电{REPEAT_CALLS}次及以上的{count_text(n['repeat_callers'])}人、"
        f"共{count_text(n['repeat_caller_cases'])}件;来电人以电话号码识别,姓名和电话已脱敏。"
    ]
    if rows:
        lines.append(f"来电最多的来电人本周来电{count_text(rows[0][1])}次({rows[0][2]})。")
    if n["repeat_callers"] > REPEATS_LISTED:
        lines.append(f"清单仅列出来电次数最多的{REPEATS_LISTED}人。")
    return Section(
        "四、重复来电",
        lines,
        [
            Table(
                "重复来电",
                f"本周来电{REPEAT_CALLS}次及以上的来电人(按来电时间;姓名和电话已脱敏)",
                ["来电人", "来电次数", "工单编号", "问题分类"],
                ["text", "int", "text", "text"],
                rows,
            )
        ],
    )


def _repeat_places(r: _Reader, n: dict) -> Section:
    received = r.received()
    points = list(
        received.exclude(location="")
        .values_list("community_id", "location")
        .annotate(k=Count("pk"))
        .filter(k__gte=REPEAT_PLACE)
        .order_by("-k", "location")
    )
    n["repeat_places"] = len(points)
    n["repeat_place_cases"] = sum(count for *_, count in points)
    points = points[:REPEATS_LISTED]
    wanted = {(community, location) for community, location, _ in points}
    cases = {}
    for case in (
        received.filter(location__in={loc for _, loc in wanted})
        .select_related("community")
        .only(*CASE_FIELDS, "community_id", "community__name")
        .order_by("received_at", "pk")
    ):
        key = (case.community_id, case.location)
        if key in wanted:
            cases.setdefault(key, []).append(case)
    rows = []
    for community_id, location, count in points:
        theirs = cases[(community_id, location)]
        shown = location
        for case in theirs:  # a location may repeat any of its callers' data
            shown = mask_text(shown, own_data(case))
        first = theirs[0]
        rows.append(
            [
                first.community.name if first.community_id else "—",
                shown,
                count,
                "、".join(c.platform_no for c in theirs),
            ]
        )
    hot = next(t for t in _hot(r).tables if t.sheet == "热点社区")
    communities = [row for row in hot.rows if row[1] >= REPEAT_PLACE]
    n["repeat_communities"] = len(communities)
    lines = [
        f"本周(按来电时间)同一点位(社区(村)及点位相同)反映{REPEAT_PLACE}次及以上的"
        f"{count_text(n['repeat_places'])}处、共{count_text(n['repeat_place_cases'])}件。"
    ]
    if n["repeat_places"] > REPEATS_LISTED:
        lines.append(f"清单仅列出反映次数最多的{REPEATS_LISTED}处。")
    if rows:
        lines.append(
            "反映较多的点位:"
            + "、".join(f"{row[1]}({row[0]},{count_text(row[2])}件)" for row in rows[:3])
            + "。"
        )
    if communities:
        lines.append(
            f"受理{REPEAT_PLACE}件及以上的社区(村):"
            + "、".join(f"{name}({count_text(k)}件)" for name, k in communities[:5])
            + ("等" if len(communities) > 5 else "")
            + "。"
        )
    return Section(
        "五、重复点位",
        lines,
        [
            Table(
                "重复点位",
                f"本周反映{REPEAT_PLACE}次及以上的点位(按来电时间;点位已脱敏)",
                ["社区(村)", "点位", "受理量", "工单编号"],
                ["text", "text", "int", "text"],
                rows,
            ),
            Table(
                "重复社区",
                f"本周受理{REPEAT_PLACE}件及以上的社区(村),至多{TOP}个(按来电时间)",
                ["社区(村)", "受理量"],
                ["text", "int"],
                [list(row) for row in communities],
            ),
        ],
    )


OPEN_HEADERS = ["工单编号", "标题", "主办单位", "来电时间", "状态", "警示灯", "当前环节时限"]


def _still_open(r: _Reader, n: dict) -> Section:
    running = Q(state__in=list(RUNNING_STATES))
    # the few open cases from the state index, each tested against the reader's cases of
    # the unit by one key lookup, as the dashboard reads them: with the unit's condition
    # outside, SQLite walked the street's whole history by its (street, date) index
    mine = r.cases.filter(pk=OuterRef("pk"), received_at__lt=r.window.end)
    still = (
        unscoped(Case.objects, why=OPEN_WHY)
        .filter(state__in=list(OPEN_STATES))
        .filter(Exists(mine))
    )
    lamp = {
        name: Count("pk", filter=running & deadlines.lamp_filter(value, r.now))
        for name, value in (("red", Lamp.RED), ("yellow", Lamp.YELLOW), ("green", Lamp.GREEN))
    }
    units = _by_unit(still, **lamp, shelved=Count("pk", filter=Q(state=State.SHELVED)))
    # every open case of the unit so far, not a week's: only the listed ones are read, in
    # the units' order, then red, yellow, green and no clock (挂账), then by arrival
    cases = (
        still.annotate(live_lamp=deadlines.live_lamp(r.now))
        .select_related("category", "lead_unit")
        .only(*CASE_FIELDS)
        .order_by(_unit_place(units), queues.urgency(r.now), "received_at", "pk")[:LISTED]
    )

    def shown_lamp(case) -> str:
        return case.live_lamp if case.state in RUNNING_STATES else Lamp.NONE

    for key in ("red", "yellow", "green", "shelved"):
        n[f"still_open_{key}"] = sum(row[key] for _, row in units)
    n["still_open"] = sum(row["total"] for _, row in units)
    as_of = _as_of(r.now)
    last = f"{r.window.last_day.month}月{r.window.last_day.day}日"
    lines = [
        f"{last}及以前受理(按来电时间)、{as_of}仍未办结的工单{count_text(n['still_open'])}件,"
        f"其中红灯(超期){count_text(n['still_open_red'])}件、黄灯(临期)"
        f"{count_text(n['still_open_yellow'])}件、绿灯{count_text(n['still_open_green'])}件、"
        f"挂账{count_text(n['still_open_shelved'])}件。"
    ]
    lines += _units_line(units)
    lines += _cut_note(n["still_open"])
    rows = [
        [
            case.platform_no,
            masked_pii(case, content=False)["title"],
            _unit_name(case),
            _moment(case.received_at),
            State(case.state).label,
            Lamp(shown_lamp(case)).label,
            _moment(case.current_due_at) if case.state in RUNNING_STATES else None,
        ]
        for case in cases
    ]
    return Section(
        "六、上周及以前受理仍未办结的工单",
        lines,
        [
            Table(
                "未办结单位",
                f"未办结工单按主办单位({last}及以前受理,按来电时间;状态和警示灯{as_of})",
                ["主办单位", "未办结", "红灯(超期)", "黄灯(临期)", "绿灯", "挂账"],
                ["text", "int", "int", "int", "int", "int"],
                [
                    [name, row["total"], row["red"], row["yellow"], row["green"], row["shelved"]]
                    for name, row in units
                ],
            ),
            Table(
                "未办结工单",
                f"未办结工单清单(状态和警示灯{as_of};标题已脱敏)",
                OPEN_HEADERS,
                ["text"] * len(OPEN_HEADERS),
                rows,
            ),
        ],
    )
