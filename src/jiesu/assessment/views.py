"""The 考核 page: the period's table by unit, the live estimate and the risk list."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from jiesu.assessment import rules
from jiesu.assessment.api import allowed_unit
from jiesu.assessment.estimate import estimate
from jiesu.assessment.queries import scores
from jiesu.cases.errors import RoleRefused
from jiesu.org.models import UnitKind
from jiesu.reports.exports import safe_cell


def _unit_and_period(request):
    try:
        unit = allowed_unit(
            request.user,
            int(request.GET["unit"]) if request.GET.get("unit", "").isdigit() else None,
        )
    except RoleRefused as err:
        raise PermissionDenied(err.message) from None
    current = rules.period_of(timezone.now())
    period = request.GET.get("period") or current
    try:
        rules.parse_period(period)
    except ValueError:
        period = current
    return unit, period, current


def _recent_periods(current: str, count: int = 12) -> list[str]:
    year, month = rules.parse_period(current)
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


@login_required
def assessment_page(request):
    unit, period, current = _unit_and_period(request)
    result = scores(period, unit)
    live = estimate(unit) if period == current and unit.kind == UnitKind.STREET else None
    return render(
        request,
        "assessment/scores.html",
        {
            "unit": unit,
            "period": period,
            "periods": _recent_periods(current),
            "result": result,
            "live": live,
        },
    )


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
    unit, period, _ = _unit_and_period(request)
    result = scores(period, unit)
    book = Workbook()
    sheet = book.active
    sheet.title = f"考核{period}"
    sheet.append([name for name, _ in COLUMNS])
    for row in [*result["rows"], {**result["pooled"], "unit": {"name": f"{unit.name}(合计)"}}]:
        sheet.append(
            [safe_cell(row["unit"]["name"]) if key is None else row[key] for _, key in COLUMNS]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"考核成绩-{unit.name}-{period}.xlsx"
    )
    return response
