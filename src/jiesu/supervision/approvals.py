"""Approvals (审批) tell the 组长: a unit's extension request and a special case (群体性诉求
and the like) signed and waiting for approval before dispatch both wait in the 组长's
待审批 queue (cases.queues), and each is told to the street's 组长 when it arrives, through
the workflow's event door. The texts name the case by its number only."""

import datetime as dt

from jiesu.cases import workflow
from jiesu.core.localtime import LOCAL
from jiesu.org.access import Reach
from jiesu.org.models import Role
from jiesu.supervision.models import Kind
from jiesu.supervision.notify import notify


def _leaders(case, at):
    unit = case.street or case.district
    return list(Reach.who(Role.LEADER, unit, at=at)) if unit else []


def on_extension(case, step) -> None:
    # the step's own record: the case object may not carry the step's fields yet
    until = dt.datetime.fromisoformat(step.payload["until"])
    unit = case.lead_unit.name if case.lead_unit else "承办单位"
    text = (
        f"【待审批】{unit}申请工单{case.platform_no}延期至"
        f"{until.astimezone(LOCAL):%m-%d %H:%M},请审批。"
    )
    key = f"approval:extension:{case.pk}:{until.timestamp():.0f}"
    notify(Kind.APPROVAL, _leaders(case, step.at), text=text, key=key, case=case, at=step.at)


def on_signed(case, step) -> None:
    special = step.changes.get("special") or case.special  # flagged at this very step
    if not special or case.dispatch_approved:
        return
    text = f"【待审批】特殊工单{case.platform_no}({special})已签收,须经组长审批后方可派单。"
    key = f"approval:dispatch:{case.pk}"
    notify(Kind.APPROVAL, _leaders(case, step.at), text=text, key=key, case=case, at=step.at)


def subscribe() -> None:
    workflow.subscribe("extend", on_extension)
    workflow.subscribe("sign", on_signed)
