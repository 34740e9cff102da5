"""Intake API for other systems: create cases one at a time or in bulk, keyed on
(platform, 工单编号) like the spreadsheet import, whose path they share."""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Schema, Status
from pydantic import Field

from jiesu.cases import queries
from jiesu.cases.api import CaseDetailOut, detail, router
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.intake.desk import desk_street
from jiesu.intake.importer import import_records
from jiesu.intake.models import RowOutcome

# The same router as the case reads: one path, /cases, answers GET and POST.
MAX_BULK = 500


class CaseIn(Schema):
    """A case as the platform describes it. Text values may be the Chinese labels of the
    platform's export (诉求类型 投诉, 是否解决 部分解决 …) or jiesu's codes; a label jiesu
    does not know is kept on the case and received as 其他 (or left out), with a message."""

    platform: Literal["city", "district"]
    platform_no: str = Field(min_length=1, max_length=40)
    received_at: dt.datetime
    title: str = Field("", max_length=200)
    content: str = ""
    request_type: str | None = None
    urgency: str | None = Field(None, description="紧急程度,如 紧急、一般 或 emergency")
    channel: str | None = Field(None, description="来源渠道,如 电话、网络 或 phone")
    category_path: str | None = Field(None, description="问题分类,如 城乡建设->市容环卫->占道经营")
    tags: list[str] = []
    caller_name: str | None = None
    caller_phone: str | None = None
    caller_account: str | None = None
    community: str | None = Field(None, description="村/社区名称")
    location: str | None = None
    address: str | None = None
    company_name: str | None = None
    due: str | None = Field(None, description="办理时限:截止时间,或“7天”“24小时”")
    callback_valid: bool | None = None
    callback_contacted: bool | None = None
    callback_solved: str | None = None
    callback_satisfaction: str | None = None


class CaseCreated(Schema):
    outcome: Literal["created", "updated", "unchanged"]
    case: CaseDetailOut
    message: str = Field("", description="提示,如未识别的诉求类型按“其他”接收")


class BulkIn(Schema):
    cases: list[CaseIn] = Field(min_length=1, max_length=MAX_BULK)


class BulkRowOut(Schema):
    index: int
    platform_no: str
    outcome: str
    id: int | None
    message: str


class BulkOut(Schema):
    created: int
    updated: int
    unchanged: int
    failed: int
    results: list[BulkRowOut]


def _record(case: CaseIn) -> dict:
    record = case.dict(exclude={"platform", "tags"}, exclude_none=True)
    if case.tags:
        record["tags"] = ",".join(case.tags)
    for name in ("callback_valid", "callback_contacted"):
        if name in record:
            record[name] = "是" if record[name] else "否"
    return {k: v for k, v in record.items() if v != ""}


def _receive(request, cases: list[CaseIn]):
    user = request.user
    street = desk_street(request.reach)
    if street is None:
        raise RoleRefused("只有街乡镇的坐席员和组长可以通过接口接收工单。")
    rows = []
    for platform in ("city", "district"):
        mine = [(i, c) for i, c in enumerate(cases) if c.platform == platform]
        if mine:
            _, done = import_records(
                [_record(c) for _, c in mine],
                platform=platform,
                street=street,
                user=user,
                sender=user.username,
            )
            rows += [(i, row) for (i, _), row in zip(mine, done, strict=True)]
    return sorted(rows, key=lambda pair: pair[0])


@router.post(
    "/cases",
    response={200: CaseCreated, 201: CaseCreated},
    summary="接收一件工单(按平台+工单编号幂等)",
    tags=["接收"],
)
def create_case(request, body: CaseIn):
    """Creates the case, or updates what changed if (platform, platform_no) is known:
    201 when created, 200 when it already existed."""
    [(_, row)] = _receive(request, [body])
    if row.outcome == RowOutcome.FAILED:
        raise InvalidInput(row.message)
    case = get_object_or_404(queries.case_detail_queryset(request.reach), pk=row.case_id)
    status = 201 if row.outcome == RowOutcome.CREATED else 200
    return Status(status, {"outcome": row.outcome, "case": detail(case), "message": row.message})


@router.post("/cases/bulk", response=BulkOut, summary="批量接收工单(每件单独成败)", tags=["接收"])
def create_cases(request, body: BulkIn):
    rows = _receive(request, body.cases)
    counts = {o: sum(1 for _, r in rows if r.outcome == o) for o in RowOutcome.values}
    return {
        **counts,
        "results": [
            {
                "index": i,
                "platform_no": body.cases[i].platform_no,
                "outcome": r.outcome,
                "id": r.case_id,
                "message": r.message,
            }
            for i, r in rows
        ],
    }
