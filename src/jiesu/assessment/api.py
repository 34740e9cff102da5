"""`GET /api/v1/scores`: the same numbers as `jiesu score`."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from jiesu.assessment.queries import scores
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
    unit = get_object_or_404(Unit, pk=unit_id)
    if not any(unit.path.startswith(g.path) for g in grants):
        raise RoleRefused("您无权查看该单位的考核成绩。")
    return unit


@router.get("/scores", summary="考核周期内各单位的三率和综合成绩")
def get_scores(request, query: Query[ScoreQuery]):
    unit = allowed_unit(request.user, query.unit)
    try:
        return scores(query.period, unit)
    except ValueError as err:
        raise InvalidInput(str(err), field="period") from None
