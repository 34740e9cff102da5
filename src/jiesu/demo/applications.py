"""Demo exemption and appeal applications, filed and moved on through
assessment/applications.py as the desk would: the past periods' ones decided (通过 or 查否),
the current period's ones at every step of the way."""

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from jiesu.assessment import applications, rules
from jiesu.assessment.models import ApplicationKind, ApplicationState, ExemptionGround
from jiesu.assessment.queries import period_scope
from jiesu.cases.models import Case, EvaluationType, Satisfaction, Solved

A = ApplicationState
# The state each application of a period is taken to, and its kind.
PAST = [
    (A.PASSED, ApplicationKind.EXEMPTION),
    (A.PASSED, ApplicationKind.EXEMPTION),
    (A.PASSED, ApplicationKind.APPEAL),
    (A.REFUSED, ApplicationKind.EXEMPTION),
]
CURRENT = [
    (A.DRAFT, ApplicationKind.EXEMPTION),
    (A.RETURNED, ApplicationKind.EXEMPTION),
    (A.FIRST_REVIEW, ApplicationKind.EXEMPTION),
    (A.SECOND_REVIEW, ApplicationKind.APPEAL),
    (A.READY, ApplicationKind.EXEMPTION),
    (A.SUBMITTED, ApplicationKind.EXEMPTION),
    (A.PASSED, ApplicationKind.EXEMPTION),
]
FINDINGS = {
    "恶意重复来电": "经查询来电记录,该来电人本周期内就同一事项来电十余次,"
    "每次均已答复并告知办理进展,来电内容无新情况、新理由",
    "重复诉求且无新情况新理由": "该诉求此前已按期办结并答复,此次来电未提出新情况、新理由",
    "超出本单位职责范围": "所诉事项依法属于区级主管部门职责,街道已协助转办并告知来电人",
    "已进入诉讼、仲裁、纪检监察、行政复议、政府信息公开或信访程序": "来电人所诉事项已于此前"
    "进入诉讼程序,法院已受理",
}
DEFAULT_FINDING = "经核实,所诉事项符合所选理由,相关材料已整理齐全"


def _explanation(case, ground, kind: str) -> str:
    finding = FINDINGS.get(ground.name, DEFAULT_FINDING)
    ask = (
        "平台回访结果与实际办理情况不符,特申请考核申诉。"
        if kind == ApplicationKind.APPEAL
        else "特申请该工单不纳入考核。"
    )
    return f"{case.received_at:%Y年%m月%d日}来电人反映“{case.title}”。{finding}。{ask}"


def _candidates(office, period: str, rng: random.Random, wanted: int) -> list:
    """Assessed cases of the period whose platform callback cost points; early in a period,
    when few have been called back, closed cases still waiting for their callback too."""
    assessed = (
        Case.objects.filter(
            **period_scope(period, office.street),
            evaluation_type=EvaluationType.FULL,
            applications__isnull=True,
        )
        .select_related("street", "district")
        .order_by("pk")
    )
    bad = Q(callback_satisfaction=Satisfaction.UNSATISFIED) | Q(callback_solved=Solved.UNSOLVED)
    chosen = list(assessed.filter(bad, callback_valid=True)[:200])
    chosen = rng.sample(chosen, min(wanted, len(chosen)))
    if len(chosen) < wanted:
        waiting = list(assessed.filter(awaiting_callback_at__isnull=False)[:200])
        chosen += rng.sample(waiting, min(wanted - len(chosen), len(waiting)))
    return chosen


def _advance(app, target: str, users: dict, moment: dt.datetime) -> None:
    desk, specialist, leader = users["zuoxi"], users["tichu"], users["zuzhang"]
    if target == A.DRAFT:
        return
    applications.submit_for_review(app, by=desk, confirmed_items=app.ground.checklist)
    if target == A.RETURNED:
        applications.first_review(
            app, by=specialist, approve=False, note="通话录音不完整,请补充完整录音后再提交。"
        )
        return
    if target == A.FIRST_REVIEW:
        return
    applications.first_review(app, by=specialist, approve=True, note="材料齐全,同意。")
    if target == A.SECOND_REVIEW:
        return
    applications.second_review(app, by=leader, approve=True, note="同意提交平台。")
    if target == A.READY:
        return
    applications.record_submission(app, by=specialist, at=moment)
    if target == A.SUBMITTED:
        return
    passed = target == A.PASSED
    note = "" if passed else "所附材料不足以证明来电人恶意重复来电。"
    applications.record_outcome(
        app, by=specialist, passed=passed, at=moment + dt.timedelta(days=2), note=note
    )


def file_applications(office, *, now: dt.datetime, seed: int, past_periods: int = 2) -> int:
    """File the demo's applications for the current period and the ones before it; returns
    how many were filed (fewer when the periods have few bad callbacks)."""
    rng = random.Random(seed)
    grounds = list(ExemptionGround.objects.filter(active=True, name__in=FINDINGS))
    grounds = grounds or list(ExemptionGround.objects.filter(active=True))
    if not grounds:
        return 0
    current = rules.period_of(now)
    filed = 0
    for back in range(past_periods, -1, -1):
        period = rules.shift_period(current, -back)
        plan = CURRENT if back == 0 else PAST
        chosen = _candidates(office, period, rng, len(plan))
        for (target, kind), case in zip(plan, chosen, strict=False):
            ground = rng.choice(grounds)
            app = applications.create(
                case,
                by=office.users["zuoxi"],
                kind=kind,
                ground=ground,
                explanation=_explanation(case, ground, kind),
            )
            # handed to the platform a day after the callback but by the deadline, the
            # outcome two days later, neither after now
            latest = min(now, timezone.now()) - dt.timedelta(days=2)
            moment = min((case.callback_at or latest) + dt.timedelta(days=1), latest, app.deadline)
            _advance(app, target, office.users, moment)
            filed += 1
    return filed
