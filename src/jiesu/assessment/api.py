"""`GET /api/v1/scores`: the same numbers as `jiesu score`."""

from ninja import Query, Router, Schema
from pydantic import Field

from jiesu.assessment.queries import allowed_unit, cases_behind, drill_child, scores
from jiesu.cases import queries
from jiesu.cases.api import CaseList, case_out
from jiesu.cases.errors import InvalidInput
from jiesu.core.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["考核"])


class ScoreQuery(Schema):
    period: str
    unit: int | None = None


@router.get("/scores", summary="考核周期内各单位的三率和综合成绩")
def get_scores(request, query: Query[ScoreQuery]):
    unit = allowed_unit(request.reach, query.unit)
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
    parent = allowed_unit(request.reach, query.unit)
    child = drill_child(parent, query.child, query.count)
    try:
        where = cases_behind(query.period, parent, child, query.count)
    except ValueError as err:
        raise InvalidInput(str(err), field="period") from None
    qs = queries.case_list(request.reach.cases().filter(where), ordering=queries.NEWEST_FIRST)
    start = (query.page - 1) * query.page_size
    return {
        "items": [case_out(c) for c in qs[start : start + query.page_size]],
        "count": qs.count(),
    }
