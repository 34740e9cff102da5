"""A ledger as asked for: plain parameters in, the Ledger out. The page serves a small one
at once; a large one is written by the worker from the same parameters (kept on its
ReportRun), so both read the same cases the same way, through the asker's reach.

Two ways to ask:
- `chosen(reach, kind=…, period=…, received_from=…, received_to=…, unit=…)`: the 导出台账
  page: a kind of ledger, the cases received in an assessment period or between two days,
  of one unit.
- `listed(reach, query, now=…)`: the whole list behind a page (the case list, a queue or
  a 考核 drill-down), from the page's own query string, through CaseFilter.
"""

import datetime as dt

from django.http import QueryDict
from django.utils import timezone

from jiesu.assessment import rules
from jiesu.assessment.queries import allowed_unit, cases_behind, drill_child
from jiesu.cases import queues
from jiesu.cases.errors import InvalidInput
from jiesu.cases.filters import CaseFilter
from jiesu.core.params import as_id
from jiesu.org.models import HANDLING_KINDS, PII_ROLES, UnitKind
from jiesu.reports import ledgers

# Parameters of the list page that are no filter of the ledger.
NOT_FILTERS = {"page", "reveal", "queue", "drill", "csrfmiddlewaretoken"}


def may_reveal(reach) -> bool:
    """Whether the user holds a role that may see personal data somewhere; each row is
    still revealed only where that role reaches the case (ledgers.build)."""
    return bool(reach.roles & PII_ROLES)


def units(reach):
    """The units a ledger may be narrowed to."""
    return reach.units(kinds=[UnitKind.DISTRICT, UnitKind.STREET, *HANDLING_KINDS])


def of_unit(cases, unit, user):
    """A unit's cases as the list's and the API's 承办单位 filter finds them: as lead unit,
    co-unit or community, the unit's subtree included."""
    return CaseFilter({"unit": str(unit.pk)}, cases, user=user).qs


def chosen(
    reach,
    *,
    kind: str,
    period: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    unit: int | None = None,
    reveal: bool = False,
) -> tuple[ledgers.Ledger, dict]:
    """The ledger of the 导出台账 page and the filters to log with it. An unknown kind,
    period or unit raises InvalidInput."""
    if kind not in ledgers.KINDS:
        raise InvalidInput(f"没有这种台账:{kind}。")
    cases = reach.cases()
    filters = {"kind": kind}
    if period:
        try:
            bounds = rules.period_bounds(period)
        except ValueError as err:
            raise InvalidInput(str(err)) from None
        cases = ledgers.received_between(cases, *bounds)
        filters["period"] = period
    else:
        cases = ledgers.received_between(cases, *ledgers.day_bounds(received_from, received_to))
        filters.update(received_from=str(received_from or ""), received_to=str(received_to or ""))
    if unit:
        found = units(reach).filter(pk=unit).first()
        if found is None:
            raise InvalidInput("没有这个单位,或您无权查看。")
        cases = of_unit(cases, found, reach.user)
        filters["unit"] = found.name
    ledger = ledgers.build(kind, cases, reach=reach, reveal=reveal and may_reveal(reach))
    return ledger, {k: v for k, v in filters.items() if v}


def listed(reach, query, *, now: dt.datetime | None = None) -> tuple[ledgers.Ledger, str, dict]:
    """The whole list a page's query string shows, as a ledger: (ledger, what it is, the
    filters to log). A queue the reader has not, a bad drill-down or a bad filter raises
    InvalidInput; a unit the reader does not reach, RoleRefused."""
    query = _query(query)
    now = now or timezone.now()
    cases = reach.cases()
    what = "工单列表台账"
    code = query.get("queue", "")
    if code:
        queue = queues.BY_CODE.get(code)
        if queue is None or queue not in queues.queues_for(reach):
            raise InvalidInput("没有这个工作队列。")
        cases = cases.filter(queues.condition(code, reach, now))
        what = f"工作队列台账·{queue.label}"
    elif query.get("drill"):
        cases = cases.filter(drill_condition(reach, query))
        what = "考核明细台账"
    found = CaseFilter(query, cases, user=reach.user, now=now)
    if not found.is_valid():
        raise InvalidInput("查询条件有误,未导出;请改正后再导出。")
    kept = {k: v for k, v in query.items() if k not in NOT_FILTERS and v}
    if code:
        kept["queue"] = code
    reveal = bool(query.get("reveal")) and may_reveal(reach)
    ledger = ledgers.build("list", found.qs, reach=reach, reveal=reveal, now=found.now)
    return ledger, what, kept


def drill_condition(reach, query):
    """The cases behind one number of the 考核 page, as its drill-down reads them."""
    period = query.get("period", "")
    name = query.get("count", "")
    try:
        rules.parse_period(period)
        parent = allowed_unit(reach, as_id(query.get("scope", "")))
        child_given = query.get("child", "").strip()
        child = drill_child(parent, (as_id(child_given) or 0) if child_given else None, name)
    except ValueError as err:
        raise InvalidInput(str(err)) from None
    return cases_behind(period, parent, child, name)


def _query(query) -> QueryDict:
    """A QueryDict from a request's GET or from the lists a ReportRun keeps."""
    if isinstance(query, QueryDict):
        return query
    made = QueryDict(mutable=True)
    for key, values in dict(query).items():
        made.setlist(key, values if isinstance(values, list) else [values])
    return made


def query_params(query: QueryDict) -> dict:
    """A page's query string as JSON for a ReportRun (each key with all its values)."""
    return {k: v for k, v in query.lists()}
