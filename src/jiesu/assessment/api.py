"""`GET /api/v1/scores`: the same numbers as `jiesu score`."""

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from jiesu.assessment.queries import DRILLS, cases_behind, scores
from jiesu.cases import queries
from jiesu.cases.api import CaseList, case_out
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.core.auth import API_AUTH
from jiesu.org.models import Unit
from jiesu.org.queries import grants_of

router = Router(auth=API_AUTH, tags=["考核"])


class ScoreQuery(Schema):
    period: str
    unit: int | None = None


def allowed_unit(user, unit_id: int | None) -> Unit:
    """The unit asked for, if it lies in the user's units; else their first unit."""
    grants = grants_of(user)
    if not grants:
        raise RoleRefused("您没有任何单位的权限。")
    if unit_id is None:
        return Unit.objects.get(pk=grants[0].unit_id)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404("没有找到该单位。")
    if not any(unit.path.startswith(g.path) for g in grants):
        raise RoleRefused("您无权查看该单位的考核成绩。")
    return unit


def drill_child(parent: Unit, child_id: int | None, count: str) -> Unit | None:
    """Check a drill-down's count and row: the child unit it names (None for the total)."""
    if count not in DRILLS:
        raise InvalidInput("没有这一项考核数字。", field="count")
    if child_id is None:
        return None
    child = parent.children.filter(pk=child_id).first()
    if child is None:
        raise InvalidInput("该单位不在本次考核的单位中。", field="child")
    return child


@router.get("/scores", summary="考核周期内各单位的三率和综合成绩")
def get_scores(request, query: Query[ScoreQuery]):
    unit = allowed_unit(request.user, query.unit)
    try:
        return scores(query.period, unit)
    except ValueError as err:
        raise InvalidInput(str(err), field="period") from None


class DrillQuery(ScoreQuery):
    count: str
    child: int | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


@router.get("/scores/cases", response=CaseList, summary="考核数字背后的工单")
def get_score_cases(request, query: Query[DrillQuery]):
    """The cases behind one number of GET /scores: `unit` as there, `child` one of its rows
    (none for the total), `count` one of the counts or lost_response / lost_resolution /
    lost_satisfaction."""
    parent = allowed_unit(request.user, query.unit)
    child = drill_child(parent, query.child, query.count)
    try:
        where = cases_behind(query.period, parent, child, query.count)
    except ValueError as err:
        raise InvalidInput(str(err), field="period") from None
    qs = queries.case_list(
        request.user, queries.CaseFilter(), extra=where, ordering=queries.NEWEST_FIRST
    )
    start = (query.page - 1) * query.page_size
    return {
        "items": [case_out(c) for c in qs[start : start + query.page_size]],
        "count": qs.count(),
    }
