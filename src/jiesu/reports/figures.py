"""The numbers and sentences of a report, section by section, for one unit and one window.

Every number comes from the queries the pages and the API use: a 月报's 受理量, 办结量,
three rates, score and rank are assessment.queries.scores of its period (what
`/api/v1/scores` answers); other windows count the same conditions
(assessment.queries.count_condition, rate_and_score, the ranking) over their own bounds.
A unit's cases are the ones its scores count (assessment.queries.case_scope), read through
the reader's reach; the reader must reach the unit (allowed_unit). Each table names the
case date its counts use (来电时间, 办结时间, 退回时间, 回访). Personal data never
appears: typical cases are shown through cases.display.masked_pii.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Min, Q
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from jiesu.assessment import queries as scoring
from jiesu.assessment import rules
from jiesu.assessment.queries import (
    COUNTS,
    SCORED_WHY,
    ScoreRow,
    allowed_unit,
    case_scope,
    child_column,
    count_condition,
    rate_and_score,
    scores,
)
from jiesu.cases import deadlines, queues
from jiesu.cases.display import masked_pii
from jiesu.cases.models import Case, Category, Channel, Satisfaction, Solved, State
from jiesu.core.localtime import LOCAL
from jiesu.core.scoping import unscoped
from jiesu.org.models import Unit
from jiesu.reports.windows import KINDS, Window

TOP = 10
# A report built without a reader (the worker's schedule, `jiesu report` without --user)
SYSTEM_WHY = "a report without a reader counts its unit's cases as the unit's scores do"
RATES = (
    ("response_rate", "响应率"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
)


@dataclass
class Table:
    """A table of the report; Excel puts each on a sheet named `sheet`. `kinds` says per
    column what its values are: "text", "int", "rate" (a fraction shown as 0.0%) or
    "score"."""

    sheet: str
    title: str
    headers: list[str]
    kinds: list[str]
    rows: list[list]


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar", "barh" or "line"
    labels: list[str]
    values: list[float]
    unit: str = "件"


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: Chart | None = None


@dataclass
class Figures:
    kind: str
    window: Window
    unit: Unit
    title: str
    subtitle: str
    issued: dt.datetime
    sections: list[Section]
    numbers: dict  # the headline numbers by name, for templates and tests

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def charts(self) -> list[Chart]:
        return [s.chart for s in self.sections if s.chart is not None]


# --- wording -----------------------------------------------------------------------------


def count_text(n: int) -> str:
    return f"{n:,}"


def pct_text(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{Decimal(repr(rate * 100)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def change_text(now: int, before: int | None, word: str) -> str:
    """环比上升8.2% / 同比下降3.1% / 环比持平 / 环比新增5件(上期为0) / 环比无可比数据."""
    if before is None:
        return f"{word}无可比数据"
    if before == 0:
        return f"{word}持平" if now == 0 else f"{word}新增{count_text(now)}件(上期为0)"
    change = (Decimal(now - before) * 100 / before).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if change == 0:
        return f"{word}持平"
    return f"{word}{'上升' if change > 0 else '下降'}{abs(change)}%"


def points_text(now: float | None, before: float | None, *, rate: bool) -> str:
    """较上期上升1.2个百分点 / 较上期下降0.5分 / 较上期持平; "" without both values."""
    if now is None or before is None:
        return ""
    scale = 100 if rate else 1
    diff = (Decimal(repr(now)) - Decimal(repr(before))) * scale
    diff = diff.quantize(Decimal("0.1"), ROUND_HALF_UP)
    if diff == 0:
        return ",较上期持平"
    return f",较上期{'上升' if diff > 0 else '下降'}{abs(diff)}{'个百分点' if rate else '分'}"


# --- scores of any window ------------------------------------------------------------------


def window_scores(window: Window, parent: Unit) -> dict:
    """scores() for any window: the period's own scores for a 月报, else the same counts
    (count_condition) over the window's bounds, rated and ranked by the same rule."""
    if window.period is not None:
        return scores(window.period, parent)
    rule = window.rule()
    children = list(parent.children.all())
    column, child_of = child_column(parent, children)
    base = unscoped(Case.objects, why=SCORED_WHY).filter(**case_scope(parent))
    counted = {
        name: Count("pk", filter=count_condition(name, rule))
        for name in COUNTS
        if name not in ("received", "closed")
    }
    groups = (
        base.filter(received_at__gte=window.start, received_at__lt=window.end)
        .values(column)
        .annotate(received=Count("pk"), **counted)
        .order_by()
    )
    closings = (
        base.filter(closed_at__gte=window.start, closed_at__lt=window.end)
        .values(column)
        .annotate(closed=Count("pk"))
        .order_by()
    )
    total = Counter()
    per_child = {c.pk: Counter() for c in children}
    for group in [*groups, *closings]:
        values = {k: v for k, v in group.items() if k in COUNTS}
        total.update(values)
        child = child_of.get(group[column])
        if child in per_child:
            per_child[child].update(values)

    def row(unit, counts):
        return rate_and_score(
            ScoreRow(unit={"id": unit.pk, "name": unit.name}, **{n: counts[n] for n in COUNTS}),
            rule,
        )

    ranked = [row(c, per_child[c.pk]) for c in children]
    scoring._rank(ranked)  # the ranking rule of the 考核 page, not a copy
    return {
        "rows": [
            r.as_dict() for r in sorted(ranked, key=lambda r: (r.rank or 10**9, r.unit["id"]))
        ],
        "pooled": row(parent, total).as_dict(),
    }


# --- the report ----------------------------------------------------------------------------


class _Reader:
    """The cases of one unit as the reader reaches them, and the windows to compare."""

    def __init__(self, reach, unit: Unit, window: Window, now: dt.datetime):
        self.reach, self.unit, self.window, self.now = reach, unit, window, now
        cases = reach.cases() if reach is not None else unscoped(Case.objects, why=SYSTEM_WHY)
        self.cases = cases.filter(**case_scope(unit))
        first = self.cases.aggregate(first=Min("received_at"))["first"]
        self.first = first

    def received(self, window: Window | None = None):
        w = window or self.window
        return self.cases.filter(received_at__gte=w.start, received_at__lt=w.end)

    def has_data(self, window: Window | None) -> bool:
        """Whether there were cases by then: a window before the first case has no data."""
        return window is not None and self.first is not None and self.first < window.end


def build_figures(
    kind: str, window: Window, *, reach, unit: int | Unit | None = None, now=None
) -> Figures:
    """The figures of a report of `kind` on `window` for `unit` (an id, or the reader's
    first unit), which the reader must reach. `reach` None: built by the system (a
    schedule, the command without a user), any unit, the top one by default."""
    now = now or timezone.now()
    unit = _unit_for(reach, unit.pk if isinstance(unit, Unit) else unit)
    if kind == "meeting":  # 调度会材料: its own sections, from this module's queries
        from jiesu.reports import meeting

        return meeting.meeting_figures(window, reach=reach, unit=unit, now=now)
    r = _Reader(reach, unit, window, now)
    previous, year_before = window.previous(), window.year_before()
    this = window_scores(window, unit)
    before = window_scores(previous, unit) if r.has_data(previous) else None
    pooled = this["pooled"]
    numbers = {
        "received": pooled["received"],
        "closed": pooled["closed"],
        **{k: pooled[k] for k, _ in RATES},
        "score": pooled["score"],
        "previous_received": before["pooled"]["received"] if before else None,
        "year_before_received": (
            r.received(year_before).count() if r.has_data(year_before) else None
        ),
    }
    numbers["rank"], numbers["ranked"] = _rank_of(reach, unit, window)
    numbers["previous_rank"] = _rank_of(reach, unit, previous)[0] if before is not None else None
    overview = _overview(r, numbers, before, year_before)
    overview.chart = _trend(r)
    sections = [
        overview,
        _intake(r),
        _handling(r),
        _rates(r, numbers, before, this),
        _faults(r, this),
        _hot(r),
        _typical(r),
        _returned(r),
    ]
    name = KINDS[kind]
    return Figures(
        kind=kind,
        window=window,
        unit=unit,
        title=f"{unit.name}12345市民服务热线诉求办理{name}",
        subtitle=window.label,
        issued=now,
        sections=sections,
        numbers=numbers,
    )


def _unit_for(reach, unit_id: int | None) -> Unit:
    """The unit a reader asks for (allowed_unit); without a reader, any unit, by default
    the top of the tree."""
    if reach is not None:
        return allowed_unit(reach, unit_id)
    units = Unit.objects.order_by("path")
    found = units.filter(pk=unit_id).first() if unit_id is not None else units.first()
    if found is None:
        raise ValueError("没有找到该单位。")
    return found


def _rank_of(reach, unit: Unit, window: Window) -> tuple[int | None, int | None]:
    """The unit's rank among its parent's units, and how many are ranked; (None, None)
    when the reader does not reach the parent (the ranking shows the others' scores)."""
    if unit.parent_id is None or (reach is not None and not reach.reaches_unit(unit.parent)):
        return None, None
    rows = window_scores(window, unit.parent)["rows"]
    mine = next((row for row in rows if row["unit"]["id"] == unit.pk), None)
    ranked = sum(1 for row in rows if row["rank"] is not None)
    return (mine["rank"] if mine else None), ranked


def _overview(r: _Reader, numbers: dict, before, year_before) -> Section:
    received = numbers["received"]
    lines = [
        f"本期共受理诉求{count_text(received)}件,"
        f"{change_text(received, numbers['previous_received'], '环比')}"
        + (
            f",{change_text(received, numbers['year_before_received'], '同比')}"
            if year_before is not None
            else ""
        )
        + f";办结{count_text(numbers['closed'])}件(按办结时间)。"
    ]
    if numbers["score"] is not None:
        rates = "、".join(f"{label}{pct_text(numbers[key])}" for key, label in RATES)
        line = f"本期{rates},综合成绩{numbers['score']:.1f}分"
        if before is not None:
            line += points_text(numbers["score"], before["pooled"]["score"], rate=False)
        if numbers["rank"] is not None:
            line += f",在{numbers['ranked']}个单位中排名第{numbers['rank']}"
        lines.append(line + "。")
    else:
        lines.append("本期尚无有效回访,三率及综合成绩暂无法计算。")
    return Section("一、总体情况", lines)


def _shares(counts: list[tuple[str, int]], total: int) -> list[list]:
    return [[label, n, (n / total if total else None)] for label, n in counts]


def _intake(r: _Reader) -> Section:
    received = r.received()
    total = received.count()
    by_channel = dict(received.values_list("channel").annotate(n=Count("pk")).order_by())
    channels = [(label, by_channel.get(value, 0)) for value, label in Channel.choices]
    channels = [c for c in channels if c[1]] or channels[:1]
    tops = Counter()
    for path, n in received.values_list("category__path").annotate(n=Count("pk")).order_by():
        tops[int(path.strip("/").split("/")[0]) if path else None] += n
    names = dict(Category.objects.filter(pk__in=[k for k in tops if k]).values_list("pk", "name"))
    top_rows = [(names.get(k, "未分类") if k else "未分类", n) for k, n in tops.most_common(TOP)]
    lines = [f"按来电时间统计,本期受理诉求{count_text(total)}件。"]
    if total and channels:
        first = max(channels, key=lambda c: c[1])
        lines.append(
            f"从渠道看,{first[0]}受理{count_text(first[1])}件,占{pct_text(first[1] / total)}。"
        )
    if top_rows:
        text = "、".join(f"{name}({count_text(n)}件)" for name, n in top_rows[:3])
        lines.append(f"从问题分类看,受理量居前的一级分类为{text}。")
    return Section(
        "二、受理情况",
        lines,
        [
            Table(
                "受理渠道",
                "按受理渠道(按来电时间)",
                ["渠道", "受理量", "占比"],
                ["text", "int", "rate"],
                _shares(channels, total),
            ),
            Table(
                "问题分类",
                f"按一级问题分类,前{TOP}位(按来电时间)",
                ["问题分类", "受理量", "占比"],
                ["text", "int", "rate"],
                _shares(top_rows, total),
            ),
        ],
        Chart(
            "channels",
            "受理渠道分布",
            "barh",
            [c[0] for c in sorted(channels, key=lambda c: -c[1])],
            [c[1] for c in sorted(channels, key=lambda c: -c[1])],
        ),
    )


def _overdue(r: _Reader) -> Q:
    """Received cases closed after their due time, or open and past it now (the 超期
    queue's condition)."""
    return Q(closed_at__gt=F("due_at")) | queues.condition("overdue", r.reach, r.now)


def _handling(r: _Reader) -> Section:
    received = r.received()
    policy = deadlines.policy_on(r.window.last_day)
    counts = received.aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=Q(signed_at__isnull=False)),
        signed_on_time=Count("pk", filter=Q(signed_at__lte=F("sign_due_at"))),
        dispatched=Count("pk", filter=Q(dispatched_at__isnull=False)),
        dispatched_on_time=Count("pk", filter=Q(dispatched_at__lte=F("dispatch_due_at"))),
        returned=Count("pk", filter=Q(returned_at__isnull=False)),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        closed_late=Count("pk", filter=Q(closed_at__gt=F("due_at"))),
        open_overdue=Count("pk", filter=queues.condition("overdue", r.reach, r.now)),
    )
    total = counts["total"]
    sign = f"{policy.sign_minutes}分钟内签收"
    dispatch = (
        f"{policy.dispatch_minutes}分钟内派单"
        if policy.dispatch_minutes % 60
        else (f"{policy.dispatch_minutes // 60}小时内派单")
    )
    as_of = f"截至{r.now.astimezone(LOCAL):%Y年%m月%d日%H:%M}"
    rows = [
        ["受理", total, None],
        ["已签收", counts["signed"], _share(counts["signed"], total)],
        [f"按时签收({sign})", counts["signed_on_time"], _share(counts["signed_on_time"], total)],
        ["已派单", counts["dispatched"], _share(counts["dispatched"], total)],
        [
            f"按时派单({dispatch})",
            counts["dispatched_on_time"],
            _share(counts["dispatched_on_time"], total),
        ],
        ["退回", counts["returned"], _share(counts["returned"], total)],
        ["已办结", counts["closed"], _share(counts["closed"], total)],
        ["超期办结", counts["closed_late"], _share(counts["closed_late"], total)],
        [f"超期未办结({as_of})", counts["open_overdue"], _share(counts["open_overdue"], total)],
    ]
    lines = [
        f"本期受理的{count_text(total)}件诉求中(按来电时间),{sign}"
        f"{count_text(counts['signed_on_time'])}件,{dispatch}{count_text(counts['dispatched_on_time'])}件,"
        f"退回{count_text(counts['returned'])}件,已办结{count_text(counts['closed'])}件,"
        f"其中超期办结{count_text(counts['closed_late'])}件;{as_of}超期未办结"
        f"{count_text(counts['open_overdue'])}件。"
    ]
    return Section(
        "三、办理情况",
        lines,
        [
            Table(
                "办理情况",
                "本期受理诉求的办理情况(按来电时间)",
                ["项目", "件数", "占受理量"],
                ["text", "int", "rate"],
                rows,
            )
        ],
    )


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


SCORE_HEADERS = [
    "单位",
    "受理量(按来电时间)",
    "办结量(按办结时间)",
    "响应率",
    "解决率",
    "满意率",
    "综合成绩",
    "排名",
]
SCORE_KINDS = ["text", "int", "int", "rate", "rate", "rate", "score", "int"]


def _score_row(row: dict) -> list:
    return [
        row["unit"]["name"],
        row["received"],
        row["closed"],
        *(row[k] for k, _ in RATES),
        row["score"],
        row["rank"],
    ]


def _rates(r: _Reader, numbers: dict, before, this: dict) -> Section:
    lines = []
    if numbers["score"] is None:
        lines.append("本期尚无有效回访(按来电时间计入本期的工单),三率及综合成绩暂无法计算。")
    else:
        for key, label in RATES:
            prior = before["pooled"][key] if before else None
            lines.append(
                f"{label}{pct_text(numbers[key])}{points_text(numbers[key], prior, rate=True)}。"
            )
        prior = before["pooled"]["score"] if before else None
        line = f"综合成绩{numbers['score']:.1f}分{points_text(numbers['score'], prior, rate=False)}"
        if numbers["rank"] is not None:
            line += f",排名第{numbers['rank']}(共{numbers['ranked']}个单位参与排名)"
            if numbers.get("previous_rank") is not None:
                line += f",上期第{numbers['previous_rank']}"
        lines.append(line + "。")
    rows = [_score_row(this["pooled"])]
    rows[0][-1] = numbers["rank"]
    if before is not None:
        prior = _score_row(before["pooled"])
        prior[0] = f"{prior[0]}(上期)"
        prior[-1] = numbers.get("previous_rank")
        rows.append(prior)
    rows += [_score_row(row) for row in this["rows"]]
    scored = [row for row in this["rows"] if row["score"] is not None]
    chart_rows = scored[:TOP]
    chart_title = f"综合成绩前{TOP}位的单位" if len(scored) > TOP else "各单位综合成绩"
    return Section(
        "四、考核成绩",
        lines,
        [
            Table(
                "考核成绩",
                "三率及综合成绩(受理量及三率按来电时间、办结量按办结时间)",
                SCORE_HEADERS,
                SCORE_KINDS,
                rows,
            )
        ],
        Chart(
            "scores",
            chart_title,
            "barh",
            [row["unit"]["name"] for row in chart_rows],
            [row["score"] for row in chart_rows],
            unit="分",
        )
        if chart_rows
        else None,
    )


def _faults(r: _Reader, this: dict) -> Section:
    scored = [row for row in this["rows"] if row["score"] is not None]
    lowest = sorted(scored, key=lambda row: (row["score"], row["unit"]["id"]))[:3]
    children = list(r.unit.children.all())
    column, child_of = child_column(r.unit, children)
    late = Counter()
    for key, n in (
        r.received().filter(_overdue(r)).values_list(column).annotate(n=Count("pk")).order_by()
    ):
        if child_of.get(key) is not None:
            late[child_of[key]] += n
    names = {c.pk: c.name for c in children}
    most_late = [(names[pk], n) for pk, n in late.most_common(5)]
    lines = []
    if lowest:
        text = "、".join(f"{row['unit']['name']}({row['score']:.1f}分)" for row in lowest)
        lines.append(f"综合成绩较低的单位为{text}。")
    if most_late:
        text = "、".join(f"{name}({count_text(n)}件)" for name, n in most_late)
        lines.append(f"超期工单较多的单位为{text}(本期受理、超期办结或截至目前超期未办结)。")
    if not lines:
        lines.append("本期无需重点提示的单位。")
    return Section(
        "五、需关注的单位",
        lines,
        [
            Table(
                "超期单位",
                "超期工单较多的单位(按来电时间)",
                ["单位", "超期工单"],
                ["text", "int"],
                [list(item) for item in most_late],
            )
        ],
    )


def _hot(r: _Reader) -> Section:
    received = r.received()
    categories = [
        (name or "未分类", n)
        for name, n in received.values_list("category__full_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__full_name")[:TOP]
    ]
    communities = [
        (name, n)
        for name, n in received.filter(community__isnull=False)
        .values_list("community__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "community__name")[:TOP]
    ]
    lines = []
    if categories:
        lines.append(
            "热点问题:"
            + "、".join(f"{name}({count_text(n)}件)" for name, n in categories[:3])
            + "。"
        )
    if communities:
        lines.append(
            "热点社区(村):"
            + "、".join(f"{name}({count_text(n)}件)" for name, n in communities[:3])
            + "。"
        )
    return Section(
        "六、热点问题和社区",
        lines or ["本期无受理诉求。"],
        [
            Table(
                "热点问题",
                f"热点问题分类前{TOP}位(按来电时间)",
                ["问题分类", "受理量"],
                ["text", "int"],
                [list(c) for c in categories],
            ),
            Table(
                "热点社区",
                f"诉求较多的社区(村)前{TOP}位(按来电时间)",
                ["社区(村)", "受理量"],
                ["text", "int"],
                [list(c) for c in communities],
            ),
        ],
        Chart(
            "categories",
            "热点问题分类",
            "barh",
            [c[0].split("->")[-1] for c in categories],
            [c[1] for c in categories],
        )
        if categories
        else None,
    )


TYPICAL_HEADERS = ["选取规则", "工单编号", "标题", "问题分类", "主办单位", "来电时间", "说明"]


def _typical(r: _Reader) -> Section:
    """One case per rule: the most repeated caller, the most repeated place, the longest
    overdue, the lowest rated (an unsatisfied valid callback, unsolved first)."""
    received = r.received()
    picks = []
    caller = (
        received.exclude(caller_phone_digest="")
        .values_list("caller_phone_digest")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "caller_phone_digest")
        .first()
    )
    if caller:
        case = (
            received.filter(caller_phone_digest=caller[0]).order_by("-received_at", "-pk").first()
        )
        picks.append(("重复来电最多", case, f"同一来电人本期来电{caller[1]}次"))
    place = (
        received.exclude(location="")
        .values_list("community_id", "location")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "location")
        .first()
    )
    if place:
        case = (
            received.filter(community_id=place[0], location=place[1])
            .order_by("-received_at", "-pk")
            .first()
        )
        picks.append(("同一点位反映最多", case, f"同一点位本期反映{place[2]}次"))
    late = [
        ((closed or r.now) - due, pk)
        for pk, due, closed in received.filter(_overdue(r), due_at__isnull=False).values_list(
            "pk", "due_at", "closed_at"
        )
    ]
    if late:
        span, pk = max(late, key=lambda item: (item[0], -item[1]))
        hours = int(span.total_seconds() // 3600)
        picks.append(
            ("超期最久", received.get(pk=pk), f"超过办结时限{hours // 24}天{hours % 24}小时")
        )
    worst = received.filter(
        count_condition("lost_satisfaction", r.window.rule()),
        callback_satisfaction=Satisfaction.UNSATISFIED,
    ).order_by(F("callback_solved").desc(), "-callback_at", "-pk")
    worst = worst.filter(callback_solved=Solved.UNSOLVED).first() or worst.first()
    if worst:
        picks.append(
            (
                "评价最差",
                worst,
                f"回访{worst.get_callback_solved_display() or '—'}、"
                f"{worst.get_callback_satisfaction_display()}",
            )
        )
    rows, lines = [], []
    for rule_name, case, why in picks:
        shown = masked_pii(case)
        content = shown["content"]
        if len(content) > 120:
            content = content[:120] + "……"
        rows.append(
            [
                rule_name,
                case.platform_no,
                shown["title"],
                case.category.full_name if case.category_id else "未分类",
                case.lead_unit.name if case.lead_unit_id else "未派单",
                f"{case.received_at.astimezone(LOCAL):%Y-%m-%d %H:%M}",
                why,
            ]
        )
        lines.append(f"【{rule_name}】{case.platform_no} {shown['title']}:{content}({why})")
    return Section(
        "七、典型案例",
        lines or ["本期无按规则选出的典型案例。"],
        [
            Table(
                "典型案例",
                "典型案例(本期受理,按规则选取;个人信息已脱敏)",
                TYPICAL_HEADERS,
                ["text"] * len(TYPICAL_HEADERS),
                rows,
            )
        ],
    )


def _returned(r: _Reader) -> Section:
    w = r.window
    returned = r.cases.filter(returned_at__gte=w.start, returned_at__lt=w.end)
    total = returned.count()
    by_category = [
        (name or "未分类", n)
        for name, n in returned.values_list("category__full_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__full_name")[:TOP]
    ]
    still = returned.filter(state=State.RETURNED).count()
    lines = [
        f"本期退回工单{count_text(total)}件(按退回时间),其中目前仍为已退回状态{count_text(still)}件。"
    ]
    if by_category:
        lines.append(
            "退回较多的问题分类:"
            + "、".join(f"{n}({count_text(c)}件)" for n, c in by_category[:3])
            + "。"
        )
    return Section(
        "八、退回工单",
        lines,
        [
            Table(
                "退回工单",
                "退回工单按问题分类(按退回时间)",
                ["问题分类", "退回量", "占退回量"],
                ["text", "int", "rate"],
                _shares(by_category, total),
            )
        ],
    )


def _trend(r: _Reader) -> Chart:
    """Received per hour (日报), per day, or per assessment period (年报)."""
    r_window = r.window
    cases = r.received()
    if r_window.kind == "annual":
        periods = [f"{r_window.name}-{month:02d}" for month in range(1, 13)]
        values = []
        for period in periods:
            start, end = rules.period_bounds(period)
            values.append(cases.filter(received_at__gte=start, received_at__lt=end).count())
        return Chart("trend", "各考核周期受理量(按来电时间)", "line", periods, values)
    trunc = TruncHour if r_window.kind == "daily" else TruncDate
    counts = dict(
        cases.annotate(t=trunc("received_at", tzinfo=LOCAL))
        .values_list("t")
        .annotate(n=Count("pk"))
        .order_by()
    )
    step = dt.timedelta(hours=1) if r_window.kind == "daily" else dt.timedelta(days=1)
    labels, values = [], []
    moment = r_window.start.astimezone(LOCAL)
    while moment < r_window.end:
        key = moment if r_window.kind == "daily" else moment.date()
        labels.append(f"{moment:%H时}" if r_window.kind == "daily" else f"{moment:%m-%d}")
        values.append(next((n for k, n in counts.items() if _same(k, key)), 0))
        moment += step
    return Chart("trend", "受理量走势(按来电时间)", "line", labels, values)


def _same(key, wanted) -> bool:
    if isinstance(wanted, dt.datetime) and isinstance(key, dt.datetime):
        return key.astimezone(LOCAL) == wanted
    return key == wanted
