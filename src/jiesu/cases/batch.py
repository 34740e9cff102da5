"""The 批量 bar of a case list: many ticked cases at once, each through the workflow in its
own transaction, so one refused case does not hold back the others, and the user is told
which ones failed and why. (Writing many new cases fast is cases.fastinsert.)"""

from dataclasses import dataclass

from jiesu.cases import submit
from jiesu.cases.errors import WorkflowError
from jiesu.cases.models import Case
from jiesu.cases.queues import DESK
from jiesu.core.params import as_id
from jiesu.core.scoping import reach_of

BULK_ACTIONS = {"sign": "签收", "urge": "催办"}
MAX_CASES = 500


@dataclass
class Outcome:
    done: list
    failed: list  # (case, message)


def may_use(reach) -> bool:
    """Ticking cases for bulk sign, urge or export is the desk's work (坐席员, 组长, 区级督办);
    the bulk bar is shown to them only and the server refuses everyone else."""
    return reach_of(reach).holds(*DESK)


def selected(reach, ids) -> list[Case]:
    """The chosen cases the user (a Reach, or a user) may see, in the order given; others
    are ignored."""
    wanted = [i for i in map(as_id, ids) if i is not None][:MAX_CASES]
    found = reach_of(reach).cases().select_related("district", "street", "lead_unit")
    by_id = {c.pk: c for c in found.filter(pk__in=wanted)}
    return [by_id[i] for i in wanted if i in by_id]


def run(user, action: str, cases, data: dict) -> Outcome:
    outcome = Outcome(done=[], failed=[])
    for case in cases:
        try:
            submit.perform(case, action, by=user, data=data, prefix=False)
            outcome.done.append(case)
        except WorkflowError as err:
            outcome.failed.append((case, err.message))
    return outcome
