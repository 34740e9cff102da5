"""JSON API for cases: list, detail with timeline, actions, personal-data reveal."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Body, Query, Router, Schema
from pydantic import Field

from jiesu.cases import deadlines, queries, queues, services, submit
from jiesu.cases.errors import InvalidInput
from jiesu.cases.filters import CaseFilter, query_schema
from jiesu.cases.presenters import masked_pii, masked_reply
from jiesu.core.auth import API_AUTH
from jiesu.core.masking import mask_data, mask_text, own_data

router = Router(auth=API_AUTH, tags=["工单"])


# The list's query parameters: the case filter's (cases.filters, which validates them), a
# queue and paging.
CaseFilterIn = query_schema(
    "CaseFilterIn",
    queue=(str | None, Field(None, description="工作队列(您的队列之一,按队列页的顺序)")),
    page=(int, Field(1, ge=1, le=100_000)),
    page_size=(int, Field(50, ge=1, le=500)),
)


class UnitRef(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    platform: str
    platform_no: str
    channel: str
    request_type: str
    urgency: str
    title: str
    category: str | None
    state: str
    state_label: str
    lamp: str
    received_at: dt.datetime
    current_due_at: dt.datetime | None
    due_at: dt.datetime | None
    lead_unit: UnitRef | None
    community: UnitRef | None
    caller_name: str
    caller_phone: str
    version: int


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    from_state: str
    to_state: str
    reason: str
    payload: dict


class CaseDetailOut(CaseOut):
    content: str
    caller_account: str
    address: str
    location: str
    company_name: str
    district: UnitRef
    street: UnitRef | None
    co_units: list[UnitRef]
    tags: list[str]
    sign_due_at: dt.datetime | None
    dispatch_due_at: dt.datetime | None
    return_due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    due_unscheduled: bool
    signed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    contacted_at: dt.datetime | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    special: str
    evaluation_type: str
    extension_requested_until: dt.datetime | None
    reply: dict
    callback_valid: bool | None
    callback_contacted: bool | None
    callback_solved: str
    callback_satisfaction: str
    timeline: list[EventOut]


class CaseList(Schema):
    items: list[CaseOut]
    count: int


class RevealIn(Schema):
    field: str


class RevealOut(Schema):
    field: str
    value: str


def _ref(unit):
    return {"id": unit.pk, "name": unit.name} if unit else None


def live_lamp(case, now: dt.datetime) -> str:
    """The lamp at `now`, as the pages show it: the list's annotation where the queryset has
    it, else the case page's clock; never the stored `lamp` column, which the worker only
    refreshes every minute."""
    annotated = getattr(case, "live_lamp", None)
    return annotated or deadlines.clock_fields(case, now)["lamp"]


def case_out(case, now: dt.datetime | None = None) -> dict:
    return {
        **{f: getattr(case, f) for f in CaseOut.model_fields if hasattr(case, f)},
        "category": str(case.category) if case.category_id else None,
        "state_label": case.get_state_display(),
        "lamp": live_lamp(case, now or timezone.now()),
        "lead_unit": _ref(case.lead_unit),
        "community": _ref(case.community),
        **masked_pii(case, content=False),
    }


@router.get("/cases", response=CaseList, summary="工单列表")
def list_cases(request, filters: Query[CaseFilterIn]):
    now = timezone.now()
    scoped = request.reach.cases()
    if filters.queue:
        queue = queues.BY_CODE.get(filters.queue)
        if queue is None or queue not in queues.queues_for(request.reach):
            raise InvalidInput(f"没有“{filters.queue}”这个工作队列,或您无权查看。", field="queue")
        scoped = scoped.filter(queues.condition(filters.queue, request.reach, now))
    asked = filters.dict(exclude_none=True, exclude={"page", "page_size", "queue"})
    found = CaseFilter(asked, scoped, request=request, now=now)
    if wrong := found.first_error():
        name, message = wrong
        raise InvalidInput(f"输入有误:{name}:{message}", field=name)
    qs = queries.case_list(found.qs, now=now)
    if filters.queue:
        qs = queues.arranged(filters.queue, qs, now)
    start = (filters.page - 1) * filters.page_size
    items = [case_out(c) for c in qs[start : start + filters.page_size]]
    return {"items": items, "count": qs.count()}


def _visible_case(request, case_id):
    return get_object_or_404(queries.case_detail_queryset(request.reach), pk=case_id)


def detail(case) -> dict:
    own = own_data(case)
    out = case_out(case)  # the caller's fields, title and places, masked
    out["content"] = mask_text(case.content, own)
    out["reply"] = masked_reply(case)
    out.update(
        {
            f: getattr(case, f)
            for f in CaseDetailOut.model_fields
            if f not in out
            and hasattr(case, f)
            and f not in ("co_units", "tags", "district", "street")
        }
    )
    out["district"] = _ref(case.district)
    out["street"] = _ref(case.street)
    out["co_units"] = [_ref(u) for u in case.co_units.all()]
    out["tags"] = [t.name for t in case.tags.all()]
    out["timeline"] = [
        {
            "at": e.at,
            "actor": e.actor.username if e.actor else None,
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": mask_text(e.reason, own),
            "payload": mask_data(e.payload, own),
        }
        for e in queries.timeline(case)
    ]
    return out


@router.get("/cases/{int:case_id}", response=CaseDetailOut, summary="工单详情(含流转记录)")
def get_case(request, case_id: int):
    return detail(_visible_case(request, case_id))


@router.post(
    "/cases/{int:case_id}/actions/{action}", response=CaseDetailOut, summary="执行工单操作"
)
def act(request, case_id: int, action: str, body: dict = Body(default_factory=dict)):
    """Body: the action's fields; optional `version` to refuse acting on a stale copy."""
    case = _visible_case(request, case_id)
    expected = body.pop("version", None)
    submit.perform(
        case, action, by=request.user, data=body, expected_version=expected, prefix=False
    )
    return detail(_visible_case(request, case_id))


@router.post("/cases/{int:case_id}/reveal", response=RevealOut, summary="查看完整个人信息(留痕)")
def reveal(request, case_id: int, body: RevealIn):
    case = _visible_case(request, case_id)
    value = services.reveal(case, by=request.user, field=body.field, channel="api")
    return {"field": body.field, "value": value}
