"""The only place a case changes state: one transition table and one function per action.

Each action checks the table (state, role, what must be given), then in one transaction
updates the case under an optimistic version check and appends one CaseEvent. Anything
refused raises a WorkflowError with a Chinese message and changes nothing.

Case events leave through one door: once a step's transaction commits, the handlers other
apps `subscribe` to its action are called with the case and the step (assessment reopens a
case after a bad platform callback). cases knows none of them.
"""

import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiesu.cases import deadlines, search
from jiesu.cases.errors import Conflict, InvalidInput, NotAllowed, RoleRefused
from jiesu.cases.models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    Category,
    EvaluationType,
    Platform,
    Satisfaction,
    Solved,
    State,
)
from jiesu.core.scoping import reach_of
from jiesu.org.models import HANDLER_ROLES, HANDLING_KINDS
from jiesu.org.models import Role as R

logger = logging.getLogger(__name__)

S = State
ALL_STATES = frozenset(S)
DESK = frozenset({R.LEADER, R.OPERATOR})
HANDLERS = frozenset(HANDLER_ROLES)
EVERYONE = frozenset(R) - {R.ADMIN}


@dataclass(frozen=True)
class Need:
    """One thing an action must be given: the field, and its name in the refusal."""

    name: str
    label: str
    picked: bool = False  # chosen from a list (请选择…), not written (请填写…)

    @property
    def message(self) -> str:
        return f"请{'选择' if self.picked else '填写'}{self.label}。"


@dataclass(frozen=True)
class Transition:
    """One row of the table: from which states, to which state (None: stays), who may,
    and what must be given (the forms require exactly these fields)."""

    action: str
    label: str
    sources: frozenset
    target: str | None
    roles: frozenset
    why: str
    needs: tuple[Need, ...] = ()
    co_units_may: bool = False  # handlers of co-units may act, not only the lead unit's
    system: bool = False  # the system may take it with no user (by=None)

    @property
    def need_names(self) -> frozenset[str]:
        return frozenset(n.name for n in self.needs)


def _t(action, label, sources, target, roles, why, **kw) -> tuple[str, Transition]:
    return action, Transition(
        action, label, frozenset(sources), target, frozenset(roles), why, **kw
    )


def _n(*pairs: str, picked=()) -> tuple[Need, ...]:
    """Needs from "field:label" pairs; `picked` names the fields chosen from a list."""
    return tuple(Need(name, label, name in picked) for name, label in (p.split(":") for p in pairs))


# fmt: off
TRANSITIONS: dict[str, Transition] = dict([
    _t("sign", "签收", {S.RECEIVED}, S.ACCEPTED, DESK,
       "The desk takes the case within 30 minutes of arrival."),
    _t("return", "退回", {S.RECEIVED, S.ACCEPTED}, S.RETURNED, DESK,
       "Not ours: back to the platform within 2 hours, with the reason.",
       needs=_n("reason:退回原因")),
    _t("dispute", "派单异议", {S.RECEIVED, S.ACCEPTED, S.DISPATCHED}, S.RETURNED, DESK,
       "The platform sent it to the wrong place; raised after a unit has checked.",
       needs=_n("reason:异议理由")),
    _t("approve_dispatch", "审批派单", {S.ACCEPTED}, None, {R.LEADER},
       "Special cases (e.g. 群体性诉求) are dispatched only after a leader approves."),
    _t("dispatch", "派单", {S.ACCEPTED}, S.DISPATCHED, DESK,
       "Hand the case to a lead unit and optional co-units within 1 hour of signing.",
       needs=_n("lead_unit:主办单位", picked={"lead_unit"})),
    _t("redispatch", "改派", {S.DISPATCHED}, S.DISPATCHED, DESK,
       "The first unit was wrong: move the case, with the reason.",
       needs=_n("reason:改派原因", "lead_unit:主办单位", picked={"lead_unit"})),
    _t("contact", "联系诉求人", {S.DISPATCHED, S.SHELVED}, None, DESK | HANDLERS,
       "Contacting the citizen is the 'response' the response rate counts.",
       needs=_n("contact_at:联系时间", "way:联系方式"), co_units_may=True),
    _t("urge", "催办", {S.DISPATCHED, S.SHELVED}, None, DESK | {R.SUPERVISOR},
       "Chase the unit at the supervision nodes (2 h, 24 h, 7 d); the worker does it by "
       "rule as a system step (supervision.chase).", system=True),
    _t("supervise", "督办", OPEN_STATES, None, {R.LEADER, R.SUPERVISOR},
       "A superior's supervision order, recorded on the case.",
       needs=_n("note:督办意见")),
    _t("extend", "申请延期", {S.DISPATCHED}, None, HANDLERS | {R.LEADER},
       "The unit asks for more time, with the reason.",
       needs=_n("reason:延期理由", "until:申请延期至")),
    _t("approve_extension", "批准延期", {S.DISPATCHED}, None, {R.LEADER},
       "The leader decides the extension; approval moves the due time, keeps the original.",
       needs=_n("approved:审批意见", picked={"approved"})),
    _t("reply", "提交办理结果", {S.DISPATCHED}, S.REPLIED, HANDLERS | {R.LEADER},
       "The lead unit reports back in the five parts of a reply.",
       needs=_n("contact_at:联系时间", "contact_way:联系方式", "facts:核实情况",
                "actions:采取措施", "result:办理结果或进展", "citizen_response:诉求人反馈")),
    _t("approve", "审核通过", {S.REPLIED}, S.CLOSED, {R.REVIEWER, R.LEADER},
       "The reply is complete and true: close and feed it back to the platform."),
    _t("reject", "驳回", {S.REPLIED}, S.DISPATCHED, {R.REVIEWER, R.LEADER},
       "The reply is not good enough: back to the unit with the reason.",
       needs=_n("reason:驳回原因")),
    _t("close", "办结", {S.ACCEPTED}, S.CLOSED, DESK,
       "The desk answers the case itself (e.g. a consultation) without dispatching it.",
       needs=_n("answer:答复内容")),
    _t("callback", "回访", {S.CLOSED}, None, DESK | {R.ANALYST},
       "Record the callback: valid, contacted, solved, satisfied. An import or another "
       "system records the platform's result with no user.",
       needs=_n("solved:是否解决", "satisfaction:是否满意", picked={"solved", "satisfaction"}),
       system=True),
    _t("reopen", "重办", {S.CLOSED}, S.DISPATCHED, DESK,
       "The callback says unsolved or unsatisfied: the unit works on it again (a case the "
       "desk closed itself, with no unit, goes back to the desk: 已签收). The system reopens "
       "by the scoring rule in force when a platform callback is bad (assessment.callbacks).",
       needs=_n("reason:重办原因"), system=True),
    _t("shelve", "挂账", {S.DISPATCHED}, S.SHELVED, {R.LEADER},
       "A long-running case is parked and reports progress monthly.",
       needs=_n("reason:挂账原因")),
    _t("unshelve", "销账", {S.SHELVED}, S.DISPATCHED, {R.LEADER},
       "The long-running matter can now be finished: back to the unit's normal handling.",
       needs=_n("reason:销账说明")),
    _t("note", "备注", ALL_STATES, None, EVERYONE,
       "Anything worth keeping on the timeline.", needs=_n("text:备注内容"), co_units_may=True),
    _t("attach", "上传附件", ALL_STATES, None, EVERYONE,
       "Evidence and documents.", co_units_may=True),
    _t("update", "平台数据更新", ALL_STATES, None, DESK,
       "A newer platform export changed the case's own fields; the diff is kept.", system=True),
])
# fmt: on

# Recorded by the system only, outside the table: nobody takes them.
ACTION_LABELS = {a: t.label for a, t in TRANSITIONS.items()} | {
    "receive": "接收",
    "reschedule": "节假日安排更新",
}


# --- who may act -----------------------------------------------------------------


def allowed_actions(reach, case, among=None) -> list[str]:
    """The actions (of `among`, or all) the user (a Reach, or a user) may take on this case
    now, in table order."""
    reach = reach_of(reach)
    return [
        action
        for action, t in TRANSITIONS.items()
        if (among is None or action in among)
        and case.state in t.sources
        and reach.roles_on(case, co_units=t.co_units_may) & t.roles
    ]


def check(case, action: str, user) -> Transition:
    """The action's row if `user` may take it on the case now; `user` None is the system,
    which takes only the rows marked `system`."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise NotAllowed(f"未知的操作:{action}")
    if case.state not in t.sources:
        raise NotAllowed(f"工单当前状态为“{State(case.state).label}”,不能{t.label}。")
    if user is None and t.system:
        return t
    if user is None or not reach_of(user).roles_on(case, co_units=t.co_units_may) & t.roles:
        allowed = "、".join(sorted(R(r).label for r in t.roles))
        raise RoleRefused(f"您在本工单上没有“{t.label}”的权限(需要:{allowed})。")
    return t


# --- recording: to the database, or to a bulk recorder -----------------------------


@dataclass
class Step:
    action: str
    at: dt.datetime
    actor: object
    from_state: str
    to_state: str
    changes: dict
    reason: str = ""
    payload: dict = field(default_factory=dict)
    co_units: list | None = None
    tags: list | None = None


def step_fields(case, step: Step) -> dict:
    """What a recorded step sets on the case row: its changes, the next version and the
    update time. Every recorder applies exactly these (a new case keeps version 0)."""
    if step.action == "receive":
        return dict(step.changes)
    return dict(step.changes, version=case.version + 1, updated_at=timezone.now())


class DatabaseRecorder:
    """Writes one step: conditional update on the version, co-units, one event; then, once
    the transaction commits, hands the step to its action's subscribers (`publish` False:
    a replay of a history that already holds its consequences, such as the demo's)."""

    def __init__(self, *, publish: bool = True):
        self.publish = publish

    def record(self, case, step: Step) -> None:
        fields = step_fields(case, step)
        with transaction.atomic():
            if case.pk is None:
                apply_fields(case, fields)
                try:
                    with transaction.atomic():
                        case.save()
                except IntegrityError:
                    raise InvalidInput(
                        f"{Platform(case.platform).label}工单编号“{case.platform_no}”已存在,请勿重复录入。",
                        field="platform_no",
                    ) from None
            else:
                updated = Case.objects.filter(pk=case.pk, version=case.version).update(**fields)
                if updated != 1:
                    raise Conflict("该工单刚被他人处理过,请刷新页面查看最新状态后再操作。")
            if step.co_units is not None:
                case.co_units.set(step.co_units)
            if step.tags:
                case.tags.set(step.tags)
            CaseEvent.objects.create(
                case=case,
                at=step.at,
                actor=step.actor,
                action=step.action,
                from_state=step.from_state,
                to_state=step.to_state,
                reason=step.reason,
                payload=step.payload,
            )
            if self.publish and _subscribers.get(step.action):
                transaction.on_commit(lambda: _deliver(case, step))
        apply_fields(case, fields)


# --- the event door: other apps hear of committed steps -----------------------------

Handler = Callable[[Case, Step], None]
_subscribers: dict[str, list[Handler]] = {}


def subscribe(action: str, handler: Handler) -> None:
    """Call `handler(case, step)` after each committed step of `action` (a transition or
    `receive`/`reschedule`). How other apps follow cases without cases importing them."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown action {action!r}")
    handlers = _subscribers.setdefault(action, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(action: str, handler: Handler) -> None:
    if handler in _subscribers.get(action, []):
        _subscribers[action].remove(handler)


def _deliver(case, step: Step) -> None:
    """Each subscriber in its own transaction; one that fails is logged and rolled back,
    and neither the step (already committed) nor the other subscribers suffer."""
    for handler in list(_subscribers.get(step.action, [])):
        try:
            with transaction.atomic():
                handler(case, step)
        except Exception:
            logger.exception("subscriber %r failed on %s of case %s", handler, step.action, case.pk)


_DATABASE = DatabaseRecorder()
_recorder: contextvars.ContextVar = contextvars.ContextVar("jiesu_recorder", default=None)


@contextlib.contextmanager
def recording(recorder):
    """Send every step to `recorder` instead of the database (used by the bulk demo)."""
    token = _recorder.set(recorder)
    try:
        yield recorder
    finally:
        _recorder.reset(token)


def apply_fields(case, changes: dict) -> None:
    for name, value in changes.items():
        setattr(case, name, value)


def _run(
    case, action, *, by, at=None, changes=None, reason="", payload=None, co_units=None, target=None
):
    t = TRANSITIONS[action]
    at = at or timezone.now()
    to_state = target or t.target or case.state
    changes = dict(changes or {}, state=to_state)
    probe = _Probe(case, changes)
    changes.update(deadlines.clock_fields(probe, at))
    step = Step(
        action=action,
        at=at,
        actor=by,
        from_state=case.state,
        to_state=to_state,
        changes=changes,
        reason=reason,
        payload=payload or {},
        co_units=co_units,
    )
    (_recorder.get() or _DATABASE).record(case, step)
    if co_units is not None:
        case._jiesu_co_units = list(co_units)
    return case


class _Probe:
    """The case as it will be after the changes, for computing its clocks."""

    def __init__(self, case, changes):
        self._case, self._changes = case, changes

    def __getattr__(self, name):
        if name in self._changes:
            return self._changes[name]
        return getattr(self._case, name)


def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _require(value, field_name: str, label: str):
    if _missing(value):
        raise InvalidInput(f"请填写{label}。", field=field_name)
    return _stripped(value)


def _given(t: Transition, **values) -> dict:
    """The values of the row's needs, text stripped; the first one missing is refused."""
    for need in t.needs:
        if _missing(values[need.name]):
            raise InvalidInput(need.message, field=need.name)
    return {name: _stripped(value) for name, value in values.items()}


# --- intake ------------------------------------------------------------------------


def receive(*, by=None, at=None, tags=(), **fields) -> Case:
    """A case arrives (from a platform, import, API or manual entry): 待签收."""
    case = Case(**fields)
    case.state = S.RECEIVED
    _require(case.title, "title", "标题")
    _require(case.content, "content", "主要内容")
    _require(case.platform_no, "platform_no", "工单编号")
    if case.received_at is None:
        case.received_at = at or timezone.now()
    apply_fields(case, deadlines.intake_deadlines(case))
    apply_fields(case, deadlines.clock_fields(case, at or timezone.now()))
    step = Step(
        action="receive",
        at=case.received_at,
        actor=by,
        from_state="",
        to_state=S.RECEIVED,
        changes={},
        payload={"platform": case.platform, "channel": case.channel},
        tags=list(tags),
    )
    (_recorder.get() or _DATABASE).record(case, step)
    case._jiesu_co_units = []
    return case


# --- the actions -------------------------------------------------------------------


def flagged_special(case) -> str:
    """The label that makes a case special by the 组长's flags: a category (or one above
    it) or a tag marked 派单须审批; "" when none is."""
    if case.special:
        return case.special
    category = case.category
    if category is not None:
        above = [int(pk) for pk in category.path.strip("/").split("/") if pk]
        flagged = Category.objects.filter(pk__in=above, needs_approval=True).order_by("level")
        found = flagged.values_list("name", flat=True).first()
        if found:
            return f"须审批分类:{found}"[:30]
    if case.pk:
        tag = case.tags.filter(needs_approval=True).order_by("name").first()
        if tag is not None:
            return f"须审批标签:{tag.name}"[:30]
    return ""


def sign(case, *, by, at=None) -> Case:
    """签收. A case of a category or with a tag the 组长 flagged becomes special here, so it
    waits for the 组长's approval before dispatch."""
    check(case, "sign", by)
    at = at or timezone.now()
    changes = {"signed_at": at, "dispatch_due_at": deadlines.dispatch_deadline(at)}
    # a bulk recording (the demo, fast import) reads nothing from the database
    special = "" if _recorder.get() is not None else flagged_special(case)
    if special and not case.special:
        changes["special"] = special
    return _run(
        case,
        "sign",
        by=by,
        at=at,
        changes=changes,
    )


def return_case(case, *, by, reason, at=None) -> Case:
    """退回 to the platform: not within this office's remit."""
    reason = _given(check(case, "return", by), reason=reason)["reason"]
    at = at or timezone.now()
    return _run(case, "return", by=by, at=at, reason=reason, changes={"returned_at": at})


def dispute(case, *, by, reason, at=None) -> Case:
    """派单异议: the platform dispatched the case to the wrong office."""
    reason = _given(check(case, "dispute", by), reason=reason)["reason"]
    at = at or timezone.now()
    return _run(case, "dispute", by=by, at=at, reason=reason, changes={"returned_at": at})


def approve_dispatch(case, *, by, note="", at=None) -> Case:
    """A leader approves dispatching a special case."""
    check(case, "approve_dispatch", by)
    if not case.special:
        raise InvalidInput("该工单不是特殊工单,无需审批即可派单。")
    return _run(
        case, "approve_dispatch", by=by, at=at, reason=note, changes={"dispatch_approved": True}
    )


def _check_units(case, lead_unit, co_units):
    home = case.street or case.district
    for unit in [lead_unit, *co_units]:
        if unit.kind not in HANDLING_KINDS or not unit.active:
            raise InvalidInput(f"“{unit.name}”不是可承办的单位。", field="lead_unit")
        if not unit.is_within(home):
            raise InvalidInput(f"“{unit.name}”不在{home.name}辖内。", field="lead_unit")
    if lead_unit in co_units:
        raise InvalidInput("主办单位不能同时作为协办单位。", field="co_units")
    if len(set(u.pk for u in co_units)) != len(co_units):
        raise InvalidInput("协办单位有重复。", field="co_units")


def _unit_payload(lead_unit, co_units) -> dict:
    return {
        "lead_unit": {"id": lead_unit.pk, "name": lead_unit.name},
        "co_units": [{"id": u.pk, "name": u.name} for u in co_units],
    }


def _unit_due(case, unit_due_at, due_reason, at, payload) -> dt.datetime:
    """The due time the desk gives the unit: the case's own, or an override with a reason."""
    if unit_due_at is None:
        return case.due_at
    payload["unit_due_at"] = unit_due_at.isoformat()
    payload["due_reason"] = _require(due_reason, "due_reason", "调整办理时限的理由")
    if unit_due_at <= at:
        raise InvalidInput("单位办理时限须晚于派单时间。", field="unit_due_at")
    if case.due_at and unit_due_at > case.due_at:
        raise InvalidInput("单位办理时限不能晚于工单办结时限。", field="unit_due_at")
    return unit_due_at


def dispatch(
    case, *, by, lead_unit, co_units=(), note="", unit_due_at=None, due_reason="", at=None
) -> Case:
    """派单 to a lead unit (主办) and optional co-units (协办), optionally with a tighter
    due time for the unit."""
    _given(check(case, "dispatch", by), lead_unit=lead_unit)
    co_units = list(co_units)
    _check_units(case, lead_unit, co_units)
    is_leader = R.LEADER in reach_of(by).roles_on(case)
    if case.special and not case.dispatch_approved and not is_leader:
        raise NotAllowed(f"“{case.special}”工单须经组长审批后方可派单。")
    at = at or timezone.now()
    payload = _unit_payload(lead_unit, co_units)
    changes = {
        "lead_unit": lead_unit,
        "dispatched_at": at,
        "unit_due_at": _unit_due(case, unit_due_at, due_reason, at, payload),
    }
    if case.special:
        changes["dispatch_approved"] = True
    return _run(
        case,
        "dispatch",
        by=by,
        at=at,
        reason=note,
        changes=changes,
        payload=payload,
        co_units=co_units,
    )


def redispatch(
    case, *, by, lead_unit, co_units=(), reason, unit_due_at=None, due_reason="", at=None
) -> Case:
    """改派 to another unit, with the reason."""
    reason = _given(check(case, "redispatch", by), reason=reason, lead_unit=lead_unit)["reason"]
    co_units = list(co_units)
    _check_units(case, lead_unit, co_units)
    at = at or timezone.now()
    payload = _unit_payload(lead_unit, co_units)
    payload["previous_lead_unit"] = {"id": case.lead_unit_id, "name": str(case.lead_unit)}
    changes = {
        "lead_unit": lead_unit,
        "unit_due_at": _unit_due(case, unit_due_at, due_reason, at, payload),
    }
    return _run(
        case,
        "redispatch",
        by=by,
        at=at,
        reason=reason,
        payload=payload,
        changes=changes,
        co_units=co_units,
    )


def contact(case, *, by, contact_at, way, summary="", at=None) -> Case:
    """联系诉求人: the first contact is the case's response."""
    way = _given(check(case, "contact", by), contact_at=contact_at, way=way)["way"]
    changes = {} if case.contacted_at else {"contacted_at": contact_at}
    return _run(
        case,
        "contact",
        by=by,
        at=at,
        reason=summary,
        changes=changes,
        payload={"contact_at": contact_at.isoformat(), "way": way},
    )


def urge(case, *, by, note="", at=None) -> Case:
    """催办."""
    check(case, "urge", by)
    return _run(case, "urge", by=by, at=at, reason=note)


def supervise(case, *, by, note, at=None) -> Case:
    """督办, by a superior."""
    note = _given(check(case, "supervise", by), note=note)["note"]
    return _run(case, "supervise", by=by, at=at, reason=note)


def request_extension(case, *, by, until, reason, at=None) -> Case:
    """申请延期 to a new due time."""
    reason = _given(check(case, "extend", by), reason=reason, until=until)["reason"]
    if case.extension_requested_until:
        raise NotAllowed("已有待审批的延期申请,请等待组长审批。")
    if case.due_at and until <= case.due_at:
        raise InvalidInput("申请的延期时间须晚于当前办结时限。", field="until")
    return _run(
        case,
        "extend",
        by=by,
        at=at,
        reason=reason,
        changes={"extension_requested_until": until},
        payload={"until": until.isoformat()},
    )


def approve_extension(case, *, by, approved=True, note="", at=None) -> Case:
    """批准 (or refuse) the pending extension; approval keeps the original due time."""
    _given(check(case, "approve_extension", by), approved=approved)
    until = case.extension_requested_until
    if until is None:
        raise NotAllowed("该工单没有待审批的延期申请。")
    changes = {"extension_requested_until": None}
    if approved:
        changes["due_at"] = until
        changes["unit_due_at"] = until
        changes["original_due_at"] = case.original_due_at or case.due_at
    else:
        note = _require(note, "note", "不予延期的理由")
    return _run(
        case,
        "approve_extension",
        by=by,
        at=at,
        reason=note,
        changes=changes,
        payload={"approved": approved, "until": until.isoformat()},
    )


REPLY_PARTS = {need.name: need.label for need in TRANSITIONS["reply"].needs}


def reply(
    case,
    *,
    by,
    contact_at,
    contact_way,
    facts,
    actions,
    result,
    citizen_response,
    override=None,
    at=None,
) -> Case:
    """提交办理结果 in the five parts of a reply. `override` holds the findings of the
    submission check the unit submitted despite, and its reason, kept for the reviewer."""
    values = _given(
        check(case, "reply", by),
        contact_at=contact_at,
        contact_way=contact_way,
        facts=facts,
        actions=actions,
        result=result,
        citizen_response=citizen_response,
    )
    at = at or timezone.now()
    body = dict(values, contact_at=contact_at.isoformat(), unit=str(case.lead_unit))
    if override:
        body["override"] = {
            "reason": _require(override.get("reason"), "anyway_reason", "仍要提交的理由"),
            "findings": list(override.get("findings", [])),
        }
    changes = {"reply": body, "replied_at": at}
    if not case.contacted_at:
        changes["contacted_at"] = contact_at
    return _run(case, "reply", by=by, at=at, changes=changes, payload=body)


def _closing(case, at) -> dict:
    """Closing a case: assessed cases now wait for the callback (待回访)."""
    waits = case.evaluation_type != EvaluationType.NOT_ASSESSED and case.callback_at is None
    return {"closed_at": at, "awaiting_callback_at": at if waits else None}


def approve(case, *, by, note="", at=None) -> Case:
    """审核通过: the case is closed and the reply goes back to the platform."""
    check(case, "approve", by)
    at = at or timezone.now()
    return _run(case, "approve", by=by, at=at, reason=note, changes=_closing(case, at))


def reject(case, *, by, reason, at=None) -> Case:
    """驳回 the reply to the unit, with the reason."""
    reason = _given(check(case, "reject", by), reason=reason)["reason"]
    return _run(case, "reject", by=by, at=at, reason=reason)


def close(case, *, by, answer, at=None) -> Case:
    """办结 directly at the desk, without dispatching."""
    answer = _given(check(case, "close", by), answer=answer)["answer"]
    at = at or timezone.now()
    return _run(
        case,
        "close",
        by=by,
        at=at,
        reason=answer,
        changes=dict(_closing(case, at), reply={"result": answer, "unit": "接诉中心直接办结"}),
    )


CALLBACK_KINDS = {"pre": "预回访", "official": "平台回访"}


def callback(
    case,
    *,
    by,
    valid,
    contacted,
    solved,
    satisfaction,
    kind="official",
    note="",
    at=None,
    source="",
) -> Case:
    """回访 results: 是否有效回访, 是否联系, 是否解决, 是否满意. The office's own pre-callback
    (预回访) is kept apart and never scores; the platform's result scores, and its first
    result is kept beside the final one. `by` None: recorded by the system (an import with
    no user); `source` says where the result came from ("import", "api", "open311"; "" for
    the page) and is kept on the timeline."""
    t = check(case, "callback", by)
    if kind not in CALLBACK_KINDS:
        raise InvalidInput("请选择回访类型。", field="kind")
    _given(t, solved=solved, satisfaction=satisfaction)
    if solved not in Solved.values:
        raise InvalidInput("请选择是否解决。", field="solved")
    if satisfaction not in Satisfaction.values:
        raise InvalidInput("请选择是否满意。", field="satisfaction")
    at = at or timezone.now()
    results = {
        "callback_valid": bool(valid),
        "callback_contacted": bool(contacted),
        "callback_solved": solved,
        "callback_satisfaction": satisfaction,
    }
    if kind == "pre":
        changes = {"precallback": dict(results, at=at.isoformat(), note=note)}
    else:
        changes = dict(results, callback_at=at, awaiting_callback_at=None)
        if not case.first_callback:
            changes["first_callback"] = dict(results, at=at.isoformat())
    return _run(
        case,
        "callback",
        by=by,
        at=at,
        reason=note,
        changes=changes,
        payload=dict(results, kind=kind, **({"source": source} if source else {})),
    )


def reopen(case, *, by, reason, at=None) -> Case:
    """重办 after an unsolved or unsatisfied callback: back to the lead unit, or, for a case
    the desk answered itself without dispatching, back to the desk to dispatch or answer
    again."""
    reason = _given(check(case, "reopen", by), reason=reason)["reason"]
    return _run(
        case,
        "reopen",
        by=by,
        at=at,
        reason=reason,
        changes={"closed_at": None, "replied_at": None, "awaiting_callback_at": None},
        target=None if case.lead_unit_id else S.ACCEPTED,
    )


def shelve(case, *, by, reason, at=None) -> Case:
    """挂账."""
    reason = _given(check(case, "shelve", by), reason=reason)["reason"]
    return _run(case, "shelve", by=by, at=at, reason=reason)


def unshelve(case, *, by, reason, at=None) -> Case:
    """销账: back to normal handling."""
    reason = _given(check(case, "unshelve", by), reason=reason)["reason"]
    return _run(case, "unshelve", by=by, at=at, reason=reason)


def note(case, *, by, text, at=None) -> Case:
    """备注."""
    text = _given(check(case, "note", by), text=text)["text"]
    return _run(case, "note", by=by, at=at, reason=text)


def attach(case, *, by, attachment, at=None) -> Case:
    """Record an uploaded attachment on the timeline (see cases.services.store_attachment)."""
    check(case, "attach", by)
    return _run(
        case,
        "attach",
        by=by,
        at=at,
        payload={
            "attachment": attachment.pk,
            "name": attachment.name,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )


# Each action code's function; `attach` is called by cases.services.store_attachment.
ACTION_FUNCTIONS = {
    "sign": sign,
    "return": return_case,
    "dispute": dispute,
    "approve_dispatch": approve_dispatch,
    "dispatch": dispatch,
    "redispatch": redispatch,
    "contact": contact,
    "urge": urge,
    "supervise": supervise,
    "extend": request_extension,
    "approve_extension": approve_extension,
    "reply": reply,
    "approve": approve,
    "reject": reject,
    "close": close,
    "callback": callback,
    "reopen": reopen,
    "shelve": shelve,
    "unshelve": unshelve,
    "note": note,
}


def _plain(value):
    """A field value as the timeline keeps it."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def reschedule(case, *, due_at, due_unscheduled, reason, at=None) -> Case:
    """节假日安排更新: a year's official calendar changed and the completion due time was
    recomputed (deadlines.reschedule_year). The unit's due time follows when it was the
    case's own, and never stays later than it. A system step in any state, outside the
    table like `receive`."""
    at = at or timezone.now()
    changes = {"due_at": due_at, "due_unscheduled": due_unscheduled}
    unit_due = case.unit_due_at
    if unit_due is not None and (unit_due == case.due_at or unit_due > due_at):
        changes["unit_due_at"] = due_at
    changes.update(deadlines.clock_fields(_Probe(case, changes), at))
    step = Step(
        action="reschedule",
        at=at,
        actor=None,
        from_state=case.state,
        to_state=case.state,
        changes=changes,
        reason=reason,
        payload={
            "from": _plain(case.due_at),
            "to": _plain(due_at),
            "unscheduled": due_unscheduled,
        },
    )
    (_recorder.get() or _DATABASE).record(case, step)
    return case


LIMIT_FIELDS = {"platform_due_at", "limit_hours", "limit_days", "urgency"}


def platform_update(case, *, by=None, changes: dict, derived=None, at=None) -> Case:
    """平台数据更新: fields changed in a newer platform export; the timeline keeps the diff.
    A changed limit moves the due time unless an extension already did."""
    check(case, "update", by)
    diff = {
        name: {"from": _plain(getattr(case, name)), "to": _plain(value)}
        for name, value in changes.items()
    }
    # derived fields follow (a changed phone's search keys among them); the diff omits them
    changes = {**changes, **(derived or {}), **search.phone_fields(changes)}
    if LIMIT_FIELDS & changes.keys() and not case.original_due_at:
        fixed = deadlines.intake_deadlines(_Probe(case, changes))
        changes.update(due_at=fixed["due_at"], due_unscheduled=fixed["due_unscheduled"])
    return _run(case, "update", by=by, at=at, changes=changes, payload={"changes": diff})
