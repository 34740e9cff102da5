"""What happens after a bad platform callback: the rule in force may send the case back
(重办), with the callback as the reason: to its lead unit, or to the desk when the desk
closed it itself without dispatching. Either way the same rule decides, and the system
takes the step, whoever recorded the result (a 数据专员, an import with no user)."""

from jiesu.assessment import rules
from jiesu.cases import workflow
from jiesu.cases.models import Satisfaction, Solved, State


def bad_result(case) -> list[str]:
    rule = rules.rule_on(case.received_at.date())
    reasons = []
    if rule.reopen_on_unsolved and case.callback_solved == Solved.UNSOLVED:
        reasons.append("未解决")
    if rule.reopen_on_unsatisfied and case.callback_satisfaction == Satisfaction.UNSATISFIED:
        reasons.append("不满意")
    return reasons


def reopen_if_bad(case) -> bool:
    """Reopen a closed case whose platform callback says 未解决 or 不满意, if the rules say
    so, as the system's step; returns whether it was reopened. The case object is brought
    up to date first."""
    case.refresh_from_db()
    reasons = bad_result(case)
    if not reasons or case.state != State.CLOSED:
        return False
    workflow.reopen(case, by=None, reason=f"平台回访结果为“{'、'.join(reasons)}”,按规则重办。")
    return True


def on_callback(case, step) -> None:
    """Subscribed to `callback` (AssessmentConfig.ready): the platform's result decides."""
    if step.payload.get("kind") == "official":
        reopen_if_bad(case)
