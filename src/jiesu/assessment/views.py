"""The 考核 page: the period's table by unit, the live estimate and the risk list."""

import contextlib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from openpyxl import Workbook

from jiesu.assessment import effect, rules
from jiesu.assessment.estimate import estimate
from jiesu.assessment.queries import (
    BASIS,
    DATE_LABELS,
    DRILLS,
    SCORED_WHY,
    allowed_unit,
    cases_behind,
    counted_by,
    drill_child,
    scores,
)
from jiesu.audit import log as audit_log
from jiesu.cases import queries
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.cases.filters import CaseFilter
from jiesu.cases.models import Case
from jiesu.cases.views import render_case_list
from jiesu.core.params import as_id
from jiesu.core.scoping import unscoped
from jiesu.core.workbooks import workbook_response
from jiesu.org.models import Unit, UnitKind
from jiesu.reports import exports
from jiesu.reports.exports import safe_cell


def _unit_and_period(request, param="unit", *, strict=False):
    """The unit asked for (else the user's first) and the period (else the current one; a
    wrong one is refused when `strict`, else replaced by the current one with a warning)."""
    given = request.GET.get(param, "").strip()
    if given and as_id(given) is None:
        raise Http404("单位编号不正确。")
    try:
        unit = allowed_unit(request.reach, as_id(given))
    except RoleRefused as err:
        raise PermissionDenied(err.message) from None
    current = rules.period_of(timezone.now())
    period = request.GET.get("period") or current
    try:
        rules.parse_period(period)
    except ValueError as err:
        if strict:
            raise Http404(str(err)) from None
        messages.warning(request, f"{err}已改为显示本期。")
        period = current
    return unit, period, current


def _recent_periods(current: str, count: int = 12) -> list[str]:
    return [rules.shift_period(current, -back) for back in range(count)]


# The table's number columns: header, key in a score row, the drill-down behind the cell.
TABLE = [
    ("受理量", "received", "received"),
    ("办结量", "closed", "closed"),
    ("有效回访", "valid", "valid"),
    ("已联系", "contacted", "contacted"),
    ("解决", "solved", "solved"),
    ("部分解决", "partly_solved", "partly_solved"),
    ("满意", "satisfied", "satisfied"),
    ("基本满意", "basically_satisfied", "basically_satisfied"),
    ("响应率", "response_rate", "lost_response"),
    ("解决率", "resolution_rate", "lost_resolution"),
    ("满意率", "satisfaction_rate", "lost_satisfaction"),
    ("综合成绩", "score", "valid"),
]
RATES = {"response_rate", "resolution_rate", "satisfaction_rate"}


def _shown(key: str, value) -> str:
    """A number as people write it: rates as 98.3%, the score with one decimal."""
    if value is None:
        return "—"
    if key in RATES:
        return exports.percent_text(value)
    if key == "score":
        return exports.score_text(value)
    return str(value)


def _cells(row: dict, drill_base: str | None, child: int | None) -> list[dict]:
    """A table row's number cells, each with the link to the cases behind it."""
    cells = []
    for _, key, drill in TABLE:
        url = None
        if drill_base is not None:
            url = f"{drill_base}&count={drill}" + (f"&child={child}" if child else "")
        cells.append(
            {
                "key": key,
                "text": _shown(key, row[key]) if key in row else "",
                "url": url,
                "title": DRILLS[drill],
            }
        )
    return cells


@login_required
def assessment_page(request):
    unit, period, current = _unit_and_period(request)
    result = scores(period, unit)
    live = None
    if period == current and unit.kind == UnitKind.STREET:
        live = estimate(unit, result=result)
        pooled = live["scores"]["pooled"]
        live["shown"] = {key: _shown(key, pooled[key]) for key in (*RATES, "score")}
    base = f"{reverse('assessment_cases')}?{urlencode({'period': period, 'scope': unit.pk})}"
    # units with units under them open their own table; the parent, if the user may see it
    parents = set(
        request.reach.units()
        .filter(parent__in=[r["unit"]["id"] for r in result["rows"]])
        .values_list("parent_id", flat=True)
    )
    up = None
    if unit.parent_id:
        with contextlib.suppress(RoleRefused):
            up = allowed_unit(request.reach, unit.parent_id)
    return render(
        request,
        "assessment/scores.html",
        {
            "unit": unit,
            "period": period,
            "periods": _recent_periods(current),
            "result": result,
            "live": live,
            "headers": [header for header, _, _ in TABLE],
            "rows": [(row, _cells(row, base, row["unit"]["id"])) for row in result["rows"]],
            "pooled": _cells(result["pooled"], base, None),
            "mean": _cells(result["mean"], None, None),
            "basis": BASIS,
            "effect": _effect_shown(effect.period_effect(result, unit)),
            "openable": parents,
            "up": up,
        },
    )


def _effect_shown(found: dict | None) -> dict | None:
    """The exemption effect with its scores written with one decimal."""
    if found is not None:
        for row in found["rows"]:
            for key in ("before", "now", "if_passed"):
                row[f"{key}_text"] = _shown("score", row[key])
    return found


EXPORT_LIMIT = 20_000


@dataclass
class Drill:
    """One number of the 考核 page, as asked for in a request."""

    parent: Unit
    child: Unit | None
    period: str
    name: str

    @property
    def who(self) -> str:
        return self.child.name if self.child else f"{self.parent.name}(合计)"

    @property
    def keep(self) -> dict:
        keep = {"period": self.period, "scope": self.parent.pk, "count": self.name}
        if self.child:
            keep["child"] = self.child.pk
        return keep

    def condition(self):
        return cases_behind(self.period, self.parent, self.child, self.name)


def _drill(request) -> Drill:
    parent, period, _ = _unit_and_period(request, "scope", strict=True)
    name = request.GET.get("count", "")
    given = request.GET.get("child", "").strip()
    # a child that is no id names no unit: 0 is never a unit's id
    child_id = (as_id(given) or 0) if given else None
    try:
        child = drill_child(parent, child_id, name)
    except InvalidInput as err:
        raise Http404(err.message) from None
    return Drill(parent, child, period, name)


@login_required
def assessment_cases(request):
    """The cases behind one number of the 考核 page: a unit's row (or the total), one count,
    one period; the case list's own filters narrow it further."""
    drill = _drill(request)
    start, end = rules.period_bounds(drill.period)
    # the number as the 考核 page shows it, before this list's own filters and visibility
    number = unscoped(Case.objects, why=SCORED_WHY).filter(drill.condition()).count()
    by = DATE_LABELS[counted_by(drill.name)]
    done = "办结" if counted_by(drill.name) == "closed_at" else "受理"
    return render_case_list(
        request,
        title=f"{drill.who} · {drill.period} 考核周期 · {DRILLS[drill.name]}",
        extra=drill.condition(),
        ordering=queries.NEWEST_FIRST,
        keep=drill.keep,
        intro=f"考核页上的数字为 {number} 件;"
        f"按{by}统计,{start:%Y-%m-%d} 00:00 至 {end:%Y-%m-%d} 00:00 前{done}。",
        callback_columns=True,
        export_url=f"{reverse('assessment_cases_export')}?{request.GET.urlencode()}",
    )


@login_required
def assessment_cases_export(request):
    """The drill-down list as it is filtered, as an Excel ledger with the callback results."""
    drill = _drill(request)
    found = CaseFilter(
        request.GET, request.reach.cases().filter(drill.condition()), request=request
    )
    back = f"{reverse('assessment_cases')}?{request.GET.urlencode()}"
    if not found.is_valid():
        messages.error(request, "查询条件有误,未导出;请改正后再导出。")
        return redirect(back)
    cases = queries.case_list(found.qs, ordering=queries.NEWEST_FIRST, now=found.now)
    count = cases.count()
    if count > EXPORT_LIMIT:
        messages.error(
            request,
            f"本列表超过 {EXPORT_LIMIT:,} 件,无法一次导出;请按受理日期或单位缩小范围后再导出。",
        )
        return redirect(back)
    response = workbook_response(
        exports.cases_xlsx(cases, with_callback=True),
        f"考核明细-{drill.who}-{drill.period}-{DRILLS[drill.name]}.xlsx",
    )
    audit_log.exported(request, "考核明细", count, query=request.GET.dict())
    return response


COLUMNS = [
    ("单位", None),
    ("受理量", "received"),
    ("办结量", "closed"),
    ("有效回访", "valid"),
    ("已联系", "contacted"),
    ("解决", "solved"),
    ("部分解决", "partly_solved"),
    ("满意", "satisfied"),
    ("基本满意", "basically_satisfied"),
    ("响应率", "response_rate"),
    ("解决率", "resolution_rate"),
    ("满意率", "satisfaction_rate"),
    ("综合成绩", "score"),
    ("排名", "rank"),
]


@login_required
def assessment_export(request):
    """The period's table as an Excel workbook: rates as numbers shown as percentages,
    scores with one decimal, the pooled and the mean rows, and what each count is dated by."""
    unit, period, _ = _unit_and_period(request)
    result = scores(period, unit)
    book = Workbook()
    sheet = book.active
    sheet.title = f"考核{period}"
    sheet.append([name for name, _ in COLUMNS])
    rows = [
        *result["rows"],
        {**result["pooled"], "unit": {"name": f"{unit.name}(合计)"}},
        {**result["mean"], "unit": {"name": "各单位平均"}},
    ]
    for row in rows:
        sheet.append(
            [safe_cell(row["unit"]["name"]) if key is None else row.get(key) for _, key in COLUMNS]
        )
    formats = {key: exports.number_format(key) for _, key in COLUMNS}
    for line in sheet.iter_rows(min_row=2):
        for (_, key), cell in zip(COLUMNS, line, strict=True):
            if formats[key] and cell.value is not None:
                cell.number_format = formats[key]
    start, end = rules.period_bounds(period)
    sheet.append([])
    sheet.append([f"考核周期 {period}:{start:%Y-%m-%d} 00:00 至 {end:%Y-%m-%d} 00:00 前;{BASIS}。"])
    response = workbook_response(book, f"考核成绩-{unit.name}-{period}.xlsx")
    audit_log.exported(request, "考核成绩", len(result["rows"]), unit=unit.name, period=period)
    return response
