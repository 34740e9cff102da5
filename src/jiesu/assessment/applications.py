"""Exemption (不纳入考核) and appeal (考核申诉) applications, from draft to the platform's outcome.

Each step checks the application's state and the acting person's role on the case's street,
then in one transaction moves the application and appends an entry to its history; the
filing, the submission to the platform and the outcome also leave a note on the case's
timeline. A refused step raises a WorkflowError with a Chinese message and changes nothing.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiesu.assessment import rules
from jiesu.assessment.models import (
    APPLICANTS,
    Application,
    ApplicationKind,
    ApplicationState,
    ExemptionGround,
)
from jiesu.audit import log as audit_log
from jiesu.audit.models import Kind
from jiesu.cases import workflow
from jiesu.cases.errors import InvalidInput, NotAllowed, RoleRefused
from jiesu.cases.models import Case, EvaluationType, Lamp
from jiesu.core.scoping import reach_of
from jiesu.org.models import Role

A = ApplicationState
# The deadline is for handing the application to the platform; after that only the
# platform's outcome is awaited.
BEFORE_SUBMISSION = frozenset({A.DRAFT, A.RETURNED, A.FIRST_REVIEW, A.SECOND_REVIEW, A.READY})
# Only a 查否 application leaves the case free for a new one: a passed one has done its work.
FINISHED = frozenset({A.REFUSED})
SUBMISSION_HOUR = 18
WARN_DAYS = 2
# The 情况说明 item of a checklist is the application's own explanation (documents.py).
EXPLANATION_ITEM = "情况说明"


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset
    roles: frozenset
    buttons: tuple  # the page's data-action names for this step


STEPS = {
    "revise": Step("修改申请", frozenset({A.DRAFT, A.RETURNED}), APPLICANTS, ("revise",)),
    "submit_for_review": Step(
        "提交审核", frozenset({A.DRAFT, A.RETURNED}), APPLICANTS, ("submit_for_review",)
    ),
    "first_review": Step(
        "剔除专员审核",
        frozenset({A.FIRST_REVIEW}),
        frozenset({Role.EXEMPTION}),
        ("first_review_approve", "first_review_reject"),
    ),
    "second_review": Step(
        "组长审核",
        frozenset({A.SECOND_REVIEW}),
        frozenset({Role.LEADER}),
        ("second_review_approve", "second_review_reject"),
    ),
    "record_submission": Step(
        "登记提交平台", frozenset({A.READY}), APPLICANTS, ("record_submission",)
    ),
    "record_outcome": Step(
        "登记平台结果",
        frozenset({A.SUBMITTED}),
        APPLICANTS,
        ("record_outcome_passed", "record_outcome_refused"),
    ),
}

HISTORY_LABELS = {
    "create": "创建申请",
    "revise": "修改申请",
    "submit_for_review": "提交审核",
    "first_review_approve": "剔除专员审核通过",
    "first_review_reject": "剔除专员退回",
    "second_review_approve": "组长审核通过",
    "second_review_reject": "组长退回",
    "record_submission": "登记提交平台",
    "record_outcome_passed": "登记平台结果",
    "record_outcome_refused": "登记平台结果",
}


# --- who may do what ----------------------------------------------------------------


def roles_on(case, who) -> set[str]:
    """The roles the user (or Reach) `who` holds on the case (org.access)."""
    return reach_of(who).roles_on(case)


def may_apply(who, case) -> bool:
    return bool(roles_on(case, who) & APPLICANTS)


def allowed_actions(app, who) -> list[str]:
    """The page actions (data-action names) this user may take on the application now."""
    roles = roles_on(app.case, who)
    return [
        button
        for step in STEPS.values()
        if app.state in step.sources and roles & step.roles
        for button in step.buttons
    ]


def _check(app, step_name: str, by) -> Step:
    step = STEPS[step_name]
    if app.state not in step.sources:
        raise NotAllowed(f"申请当前状态为“{A(app.state).label}”,不能{step.label}。")
    if not roles_on(app.case, by) & step.roles:
        needed = "、".join(sorted(Role(r).label for r in step.roles))
        raise RoleRefused(f"您在本工单所属街乡镇没有“{step.label}”的权限(需要:{needed})。")
    return step


# --- deadlines ----------------------------------------------------------------------


def deadline_for(period: str, ground: ExemptionGround) -> dt.datetime:
    """18:00 local, `ground.deadline_days` days before the period's last day."""
    _, end = rules.period_bounds(period)
    last_day = (end - dt.timedelta(days=1)).date()
    day = last_day - dt.timedelta(days=ground.deadline_days)
    return dt.datetime.combine(day, dt.time(SUBMISSION_HOUR), tzinfo=rules.LOCAL)


def is_overdue(app, now: dt.datetime) -> bool:
    return app.state in BEFORE_SUBMISSION and now > app.deadline


def deadline_text(app) -> str:
    """The submission deadline as the office reads it: 2026-10-15 18:00, Beijing time."""
    return f"{app.deadline.astimezone(rules.LOCAL):%Y-%m-%d %H:%M}"


def may_override_deadline(app, who) -> bool:
    """Only the 组长 lets an application go to the platform after its deadline."""
    return Role.LEADER in roles_on(app.case, who)


def _late_override(app, by, at: dt.datetime, reason: str) -> dict:
    """A submission after the deadline is refused, unless the 组长 overrides it with a
    reason; returns the override kept in the history entry."""
    refused = f"已超过提交截止时间 {deadline_text(app)},不能提交"
    reason = (reason or "").strip()
    if not may_override_deadline(app, by):
        raise NotAllowed(f"{refused}。如确需逾期提交,须由组长填写理由特批。")
    if not reason:
        raise InvalidInput(f"{refused}。组长特批须填写逾期提交理由。", field="override_reason")
    return {
        "reason": reason,
        "deadline": app.deadline.astimezone(rules.LOCAL).isoformat(),
        "at": at.astimezone(rules.LOCAL).isoformat(),
    }


def days_left(app, now: dt.datetime) -> float | None:
    """Days until the deadline, rounded down to a tenth (negative when overdue); None once
    the application has gone to the platform."""
    if app.state not in BEFORE_SUBMISSION:
        return None
    return math.floor((app.deadline - now) / dt.timedelta(days=1) * 10) / 10


def is_due_soon(app, now: dt.datetime) -> bool:
    """The warning: not yet overdue, but less than WARN_DAYS days left."""
    return (
        app.state in BEFORE_SUBMISSION
        and not is_overdue(app, now)
        and app.deadline - now < dt.timedelta(days=WARN_DAYS)
    )


def deadline_lamp(app, now: dt.datetime) -> str:
    if app.state not in BEFORE_SUBMISSION:
        return Lamp.NONE
    if is_overdue(app, now):
        return Lamp.RED
    return Lamp.YELLOW if is_due_soon(app, now) else Lamp.GREEN


# --- evidence -----------------------------------------------------------------------


def _evidence_of(case, evidence) -> list:
    ids = {getattr(item, "pk", item) for item in evidence}
    found = list(case.attachments.filter(pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput("证据材料只能从本工单的附件中选择。", field="evidence")
    return found


def checklist_status(app, confirmed_items=()) -> list[tuple[str, str | None]]:
    """Each checklist item of the ground with what covers it: the name of a matching
    evidence file, the explanation, a confirmation, or None when it is missing."""
    names = [a.name for a in app.evidence.all()]
    out = []
    for item in app.ground.checklist:
        match = next((n for n in names if item.lower() in n.lower()), None)
        if match is None and item == EXPLANATION_ITEM and app.explanation.strip():
            match = "本申请的情况说明"
        if match is None and item in confirmed_items:
            match = "已确认另行提供"
        out.append((item, match))
    return out


def recorded_confirmations(app) -> list[str]:
    """Items confirmed as provided outside the system when the application last went to
    review; a draft or returned application must confirm afresh."""
    if app.state in (A.DRAFT, A.RETURNED):
        return []
    for entry in reversed(app.history):
        if entry["action"] == "submit_for_review":
            return entry.get("confirmed", [])
    return []


# --- recording ----------------------------------------------------------------------


def _entry(by, action: str, from_state: str, to_state: str, note: str = "", **extra) -> dict:
    return {
        "at": timezone.now().isoformat(),
        "by": by.pk,
        "by_name": by.get_full_name() or by.username,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "note": note,
        **extra,
    }


def _note_case(case, by, text: str) -> None:
    """A note on the case's timeline, if the person may note on it; never a reason to fail.
    The case is reloaded first so that the note neither trips on nor writes stale fields."""
    case.refresh_from_db()
    try:
        workflow.check(case, "note", by)
    except RoleRefused:
        return
    workflow.note(case, by=by, text=text)


def _require(value: str, field: str, label: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(f"请填写{label}。", field=field)
    return value.strip()


def _validate_kind_and_ground(case, kind: str, ground) -> None:
    if kind not in ApplicationKind.values:
        raise InvalidInput("请选择申请类型。", field="kind")
    if ground is None or not ground.active:
        raise InvalidInput("请选择一个启用中的理由。", field="ground")
    if kind == ApplicationKind.EXEMPTION and case.evaluation_type == EvaluationType.NOT_ASSESSED:
        raise InvalidInput("该工单本就不纳入考核,无需申请剔除。", field="kind")


def _describe(app) -> str:
    return f"{ApplicationKind(app.kind).label}申请(理由:{app.ground.name})"


MOVED_FIELDS = (
    "kind",
    "ground",
    "explanation",
    "deadline",
    "state",
    "submitted_at",
    "outcome_at",
    "history",
)


def _move(app, step_name: str, *, by, action: str, to_state, note="", changes=None, **extra):
    """Check, then move the locked application to `to_state` (None: it stays) with one
    history entry."""
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("case__district", "case__street", "ground")
            .get(pk=app.pk)
        )
        _check(locked, step_name, by)
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        to_state = to_state or locked.state
        locked.history = [
            *locked.history,
            _entry(by, action, locked.state, to_state, note, **extra),
        ]
        locked.state = to_state
        locked.save()
    # the caller's instance follows, keeping its cached case
    for name in MOVED_FIELDS:
        setattr(app, name, getattr(locked, name))
    return locked


def active_application(case):
    """The case's application that blocks a new one, if any."""
    return case.applications.exclude(state__in=FINISHED).first()


# --- the steps ----------------------------------------------------------------------


def create(case, *, by, kind, ground, explanation, evidence=()) -> Application:
    """A new application (草稿) for a case the person can see, in the case's period."""
    if not reach_of(by).cases().filter(pk=case.pk).exists():
        raise RoleRefused("您无权查看该工单,不能为它提出申请。")
    if not may_apply(by, case):
        raise RoleRefused("只有本街乡镇的组长、坐席员或剔除专员可以提出剔除/申诉申请。")
    _validate_kind_and_ground(case, kind, ground)
    explanation = _require(explanation, "explanation", "情况说明")
    evidence = _evidence_of(case, evidence)
    period = rules.period_of(case.received_at)
    with transaction.atomic():
        # one filing at a time per case: the case row is the lock
        list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
        existing = active_application(case)
        if existing is not None:
            raise InvalidInput(
                f"该工单已有{A(existing.state).label}的{ApplicationKind(existing.kind).label}"
                "申请,不能重复申请。"
            )
        app = Application.objects.create(
            case=case,
            kind=kind,
            ground=ground,
            explanation=explanation,
            period=period,
            deadline=deadline_for(period, ground),
            created_by=by,
            history=[_entry(by, "create", "", A.DRAFT)],
        )
        app.evidence.set(evidence)
        _note_case(case, by, f"创建{_describe(app)},考核周期 {period}。")
    return app


def revise(app, *, by, kind, ground, explanation, evidence=()) -> Application:
    """修改 a draft or returned application; a new ground brings its own deadline."""
    _check(app, "revise", by)
    _validate_kind_and_ground(app.case, kind, ground)
    explanation = _require(explanation, "explanation", "情况说明")
    evidence = _evidence_of(app.case, evidence)
    before = {a.pk for a in app.evidence.all()}
    changed = [
        label
        for label, differs in (
            ("类型", kind != app.kind),
            ("理由", ground.pk != app.ground_id),
            ("情况说明", explanation != app.explanation),
            ("证据材料", {a.pk for a in evidence} != before),
        )
        if differs
    ]
    with transaction.atomic():
        _move(
            app,
            "revise",
            by=by,
            action="revise",
            to_state=None,
            note=f"修改了{'、'.join(changed)}" if changed else "未作改动",
            changes={
                "kind": kind,
                "ground": ground,
                "explanation": explanation,
                "deadline": deadline_for(app.period, ground),
            },
        )
        app.evidence.set(evidence)
    return app


def submit_for_review(app, *, by, confirmed_items=()) -> Application:
    """提交审核: every checklist item must be covered by an evidence file whose name holds
    the item, or be confirmed as provided outside the system (kept in the history)."""
    _check(app, "submit_for_review", by)
    confirmed_items = [item.strip() for item in confirmed_items if item.strip()]
    unknown = [item for item in confirmed_items if item not in app.ground.checklist]
    if unknown:
        raise InvalidInput(
            f"“{'、'.join(unknown)}”不在该理由须提供的证据清单中。", field="confirmed_items"
        )
    status = checklist_status(app)
    missing = [item for item, match in status if match is None and item not in confirmed_items]
    if missing:
        raise InvalidInput(
            f"缺少证据材料:{'、'.join(missing)}。请上传文件名含该词的附件,或勾选确认已另行提供。",
            field="evidence",
        )
    confirmed = [item for item, match in status if match is None]
    note = f"确认已另行提供:{'、'.join(confirmed)}" if confirmed else ""
    _move(
        app,
        "submit_for_review",
        by=by,
        action="submit_for_review",
        to_state=A.FIRST_REVIEW,
        note=note,
        confirmed=confirmed,
    )
    return app


def _review(app, step_name: str, *, by, approve: bool, note: str, passed_to: str) -> Application:
    _check(app, step_name, by)
    if not approve:
        note = _require(note, "note", "退回意见")
    _move(
        app,
        step_name,
        by=by,
        action=f"{step_name}_{'approve' if approve else 'reject'}",
        to_state=passed_to if approve else A.RETURNED,
        note=(note or "").strip(),
    )
    return app


def first_review(app, *, by, approve: bool, note: str = "") -> Application:
    """剔除专员审核: approve to the 组长, or return to the applicant with the reason."""
    return _review(
        app, "first_review", by=by, approve=approve, note=note, passed_to=A.SECOND_REVIEW
    )


def second_review(app, *, by, approve: bool, note: str = "") -> Application:
    """组长审核: approve for submission, or return to the applicant with the reason."""
    return _review(app, "second_review", by=by, approve=approve, note=note, passed_to=A.READY)


def _moment(at, *, not_before=None, label: str) -> dt.datetime:
    now = timezone.now()
    at = at or now
    if at > now:
        raise InvalidInput(f"{label}不能晚于现在。", field="at")
    if not_before is not None and at < not_before:
        raise InvalidInput(f"{label}不能早于提交平台的时间。", field="at")
    return at


def record_submission(
    app, *, by, at=None, note: str = "", override_reason: str = ""
) -> Application:
    """登记 that the application was handed in on the platform: by its deadline, or later
    only with the 组长's reason (kept in the history and the audit log)."""
    _check(app, "record_submission", by)
    at = _moment(at, label="提交时间")
    extra = {}
    if at > app.deadline:
        extra["override"] = _late_override(app, by, at, override_reason)
    with transaction.atomic():
        moved = _move(
            app,
            "record_submission",
            by=by,
            action="record_submission",
            to_state=A.SUBMITTED,
            note=(note or "").strip(),
            changes={"submitted_at": at},
            **extra,
        )
        text = f"已向平台提交{_describe(moved)}。"
        if extra:
            reason = extra["override"]["reason"]
            audit_log.record(
                Kind.DEADLINE_OVERRIDE,
                user=by,
                target=moved,
                what="剔除/申诉申请逾期提交平台",
                case=moved.case.platform_no,
                deadline=deadline_text(moved),
                submitted_at=f"{at.astimezone(rules.LOCAL):%Y-%m-%d %H:%M}",
                reason=reason,
            )
            text += f"已超过提交截止时间 {deadline_text(moved)},组长特批:{reason}"
        _note_case(app.case, by, text)
    return app


def record_outcome(app, *, by, passed: bool, at=None, note: str = "") -> Application:
    """登记 the platform's outcome: 通过 (a passed exemption takes the case out of its
    period's assessment) or 查否 (with the platform's reason)."""
    _check(app, "record_outcome", by)
    at = _moment(at, not_before=app.submitted_at, label="结果时间")
    note = (note or "").strip() if passed else _require(note, "note", "查否原因")
    with transaction.atomic():
        moved = _move(
            app,
            "record_outcome",
            by=by,
            action=f"record_outcome_{'passed' if passed else 'refused'}",
            to_state=A.PASSED if passed else A.REFUSED,
            note=note,
            changes={"outcome_at": at},
        )
        if passed and moved.kind == ApplicationKind.EXEMPTION:
            text = f"{_describe(moved)}平台审核通过,本工单不计入 {moved.period} 考核周期。"
        elif passed:
            text = f"{_describe(moved)}平台审核通过。"
        else:
            text = f"{_describe(moved)}被平台查否:{note}"
        _note_case(app.case, by, text)
    return app
