"""Ledger downloads (台账) and the export log (导出记录)."""

import os
import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiesu.assessment import rules
from jiesu.assessment.queries import allowed_unit, cases_behind, drill_child
from jiesu.audit import log as audit_log
from jiesu.audit import queries as audit_queries
from jiesu.audit.models import Kind
from jiesu.cases import queues
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.cases.filters import CaseFilter
from jiesu.core.fields import DayField
from jiesu.core.params import as_id
from jiesu.core.workbooks import workbook_response
from jiesu.org.models import HANDLING_KINDS, PII_ROLES, UnitKind
from jiesu.reports import ledgers

# A web request writes at most this many rows (about 10 s, see bench/reports.py); a larger
# ledger is narrowed, or written by `jiesu report ledger` on the server.
LEDGER_LIMIT = 100_000
LOG_PAGE = 50
RENAMED = {"count": "number", "what": "what_", "request": "request_"}
# Parameters of the list page that are no filter of the ledger.
NOT_FILTERS = {"page", "reveal", "queue", "drill", "csrfmiddlewaretoken"}


def may_reveal(reach) -> bool:
    """Whether the user holds a role that may see personal data somewhere; each row is
    still revealed only where that role reaches the case (ledgers.build)."""
    return bool(reach.roles & PII_ROLES)


class LedgerForm(forms.Form):
    kind = forms.ChoiceField(label="台账", choices=list(ledgers.KINDS.items()), initial="all")
    period = forms.CharField(label="考核周期", required=False, help_text="如 2026-11")
    received_from = DayField(label="受理日期从", required=False)
    received_to = DayField(label="至", required=False)
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None)
    reveal = forms.BooleanField(label="含个人信息", required=False)

    def __init__(self, *args, reach, **kwargs):
        super().__init__(*args, **kwargs)
        self.reach = reach
        self.fields["unit"].choices = [("", "全部单位")] + [
            (u.pk, u.name) for u in _units(reach).only("pk", "name")
        ]
        if not may_reveal(reach):
            del self.fields["reveal"]

    def clean_period(self):
        period = self.cleaned_data["period"].strip()
        if period:
            try:
                rules.parse_period(period)
            except ValueError as err:
                raise forms.ValidationError(str(err)) from None
        return period

    def clean(self):
        data = super().clean()
        if data.get("period") and (data.get("received_from") or data.get("received_to")):
            raise forms.ValidationError("考核周期和受理日期只选一种。")
        return data


def of_unit(cases, unit, user):
    """A unit's cases as the list's and the API's 承办单位 filter finds them: as lead unit,
    co-unit or community, the unit's subtree included."""
    return CaseFilter({"unit": str(unit.pk)}, cases, user=user).qs


def _units(reach):
    return reach.units(kinds=[UnitKind.DISTRICT, UnitKind.STREET, *HANDLING_KINDS])


def _send(request, ledger, *, filename: str, what: str, back: str, filters: dict):
    """Write the ledger to a temporary file and send it; log the export with its filters,
    its row count and whether personal data was revealed."""
    count = ledger.count()
    if count > LEDGER_LIMIT:
        messages.error(
            request,
            f"本台账共 {count:,} 行,超过网页一次导出的 {LEDGER_LIMIT:,} 行;请缩小范围后再导出,"
            "或请管理员在服务器上用命令 jiesu report ledger 生成。",
        )
        return redirect(back)
    stamp = timezone.localtime()
    ledger.notes = [
        ("台账", ledger.title),
        ("导出人", request.user.get_username()),
        ("导出时间", stamp.strftime("%Y-%m-%d %H:%M")),
        ("条件", "; ".join(f"{k}={v}" for k, v in filters.items()) or "全部"),
    ]
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    try:
        with os.fdopen(handle, "wb") as out:
            written = ledgers.write(ledger, out)
        response = workbook_response(path, f"{filename}-{stamp:%Y%m%d-%H%M}.xlsx")
    finally:
        os.unlink(path)  # the response holds the open file; the name goes now
    # exported() takes these names itself: the 考核 drill-down's `count` is logged as `number`
    filters = {RENAMED.get(k, k): v for k, v in filters.items()}
    if ledger.reveal:
        filters["reveal"] = True
    audit_log.exported(request, what, written, **filters)
    return response


@login_required
def ledger_page(request):
    """Choose a ledger: its kind, a period or received dates, a unit, and personal data."""
    if not request.reach.grants:
        raise PermissionDenied("您没有任何岗位,无法导出台账。")
    if "kind" not in request.GET:
        form = LedgerForm(reach=request.reach, initial={"period": rules.period_of(timezone.now())})
        return render(request, "reports/ledgers.html", {"form": form, "limit": f"{LEDGER_LIMIT:,}"})
    form = LedgerForm(request.GET, reach=request.reach)
    if not form.is_valid():
        context = {"form": form, "limit": f"{LEDGER_LIMIT:,}"}
        return render(request, "reports/ledgers.html", context, status=400)
    data = form.cleaned_data
    cases = request.reach.cases()
    filters = {"kind": data["kind"]}
    if data["period"]:
        cases = ledgers.received_between(cases, *rules.period_bounds(data["period"]))
        filters["period"] = data["period"]
    else:
        first, last = data["received_from"], data["received_to"]
        cases = ledgers.received_between(cases, *ledgers.day_bounds(first, last))
        filters.update(received_from=str(first or ""), received_to=str(last or ""))
    if data["unit"]:
        unit = _units(request.reach).filter(pk=data["unit"]).first()
        if unit is None:
            raise Http404("没有这个单位,或您无权查看。")
        cases = of_unit(cases, unit, request.user)
        filters["unit"] = unit.name
    ledger = ledgers.build(
        data["kind"], cases, reach=request.reach, reveal=data.get("reveal", False)
    )
    return _send(
        request,
        ledger,
        filename=ledger.title,
        what=ledger.title,
        back=reverse("ledgers"),
        filters={k: v for k, v in filters.items() if v},
    )


@login_required
def ledger_list(request):
    """The whole filtered list (the case list, a queue or a 考核 drill-down) as a ledger:
    the same query string as the page, through CaseFilter on the reader's cases."""
    reach = request.reach
    cases = reach.cases()
    query = request.GET.copy()
    what, back = "工单列表台账", reverse("case_list")
    code = query.get("queue", "")
    if code:
        queue = queues.BY_CODE.get(code)
        if queue is None or queue not in queues.queues_for(reach):
            raise Http404("没有这个工作队列。")
        cases = cases.filter(queues.condition(code, reach, timezone.now()))
        what, back = f"工作队列台账·{queue.label}", reverse("queue", args=[code])
    elif query.get("drill"):
        cases = cases.filter(_drill_condition(request))
        what, back = "考核明细台账", reverse("assessment_cases")
    found = CaseFilter(query, cases, request=request)
    kept = {k: v for k, v in query.items() if k not in NOT_FILTERS and v}
    back = f"{back}?{query.urlencode()}" if query else back
    if not found.is_valid():
        messages.error(request, "查询条件有误,未导出;请改正后再导出。")
        return redirect(back)
    reveal = bool(query.get("reveal")) and may_reveal(reach)
    ledger = ledgers.build("list", found.qs, reach=reach, reveal=reveal, now=found.now)
    if code:
        kept["queue"] = code
    return _send(request, ledger, filename="工单台账", what=what, back=back, filters=kept)


def _drill_condition(request):
    """The cases behind one number of the 考核 page, as its drill-down reads them."""
    given = request.GET.get("scope", "")
    period = request.GET.get("period", "")
    name = request.GET.get("count", "")
    try:
        rules.parse_period(period)
        parent = allowed_unit(request.reach, as_id(given))
        child_given = request.GET.get("child", "").strip()
        child = drill_child(parent, (as_id(child_given) or 0) if child_given else None, name)
    except ValueError as err:
        raise Http404(str(err)) from None
    except RoleRefused as err:
        raise PermissionDenied(err.message) from None
    except InvalidInput as err:
        raise Http404(err.message) from None
    return cases_behind(period, parent, child, name)


@login_required
def export_log(request):
    """Who exported what, with which filters, how many rows, when: newest first, paged.
    The administrator reads every export, a 组长 those of their people."""
    if not audit_queries.may_read(request.reach):
        raise PermissionDenied("只有系统管理员和组长可以查看导出记录。")
    events = audit_queries.visible_events(request.reach).filter(kind=Kind.EXPORT)
    person = request.GET.get("person", "").strip()
    if person:
        events = events.filter(actor_username=person)
    rows, next_before = audit_queries.page(
        events, before=as_id(request.GET.get("before")), size=LOG_PAGE
    )
    return render(
        request,
        "reports/export_log.html",
        {
            "rows": [_log_row(e) for e in rows],
            "next_before": next_before,
            "paged": bool(request.GET.get("before")),
            "person": person,
        },
    )


def _log_row(event) -> dict:
    detail = event.detail or {}
    filters = dict(detail.get("filters") or {})
    reveal = bool(filters.pop("reveal", False))
    return {
        "event": event,
        "what": detail.get("what", ""),
        "count": detail.get("count"),
        "filters": "; ".join(f"{k}={_short(v)}" for k, v in sorted(filters.items())),
        "reveal": reveal,
    }


def _short(value) -> str:
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 120 else text[:117] + "…"
