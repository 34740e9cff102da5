"""Ledger downloads (台账) and the export log (导出记录)."""

import os
import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiesu.assessment import rules
from jiesu.audit import log as audit_log
from jiesu.audit import queries as audit_queries
from jiesu.audit.models import Kind
from jiesu.cases import queues
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.core.fields import DayField
from jiesu.core.params import as_id
from jiesu.core.workbooks import workbook_response
from jiesu.reports import documents, ledger_query, ledgers, office_templates, windows
from jiesu.reports import jobs as report_jobs
from jiesu.reports.models import REPORT_ROLES, TEMPLATE_ROLES, ReportTemplate

# A ledger up to this many rows is written during the request (about 2 s, see
# bench/reports.py); a larger one is handed to the worker, with its progress on the page.
BACKGROUND_ROWS = 20_000
LOG_PAGE = 50
RENAMED = {"count": "number", "what": "what_", "request": "request_"}


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
            (u.pk, u.name) for u in ledger_query.units(reach).only("pk", "name")
        ]
        if not ledger_query.may_reveal(reach):
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


def _send(request, ledger, *, filename: str, what: str, filters: dict, params: dict):
    """Send a small ledger at once, logged with its filters, row count and whether personal
    data was revealed; hand a large one to the worker and show its progress."""
    count = ledger.count()
    if count > BACKGROUND_ROWS:
        run = report_jobs.order_ledger(
            reach=request.reach,
            unit=request.reach.home() or _first_unit(request.reach),
            title=f"{filename}-{timezone.localtime():%Y%m%d-%H%M}",
            params={**params, "asked_at": timezone.now().isoformat()},
            total=count,
            reveal=ledger.reveal,
        )
        messages.info(
            request,
            f"本台账共 {count:,} 行,已转入后台生成;完成后在本页下载(可离开本页,稍后在“报表”中找到)。",
        )
        return redirect("report_run", run.pk)
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


def _first_unit(reach):
    unit = ledger_query.units(reach).order_by("path").first()
    if unit is None:
        raise PermissionDenied("您没有任何岗位,无法导出台账。")
    return unit


@login_required
def ledger_page(request):
    """Choose a ledger: its kind, a period or received dates, a unit, and personal data."""
    if not request.reach.grants:
        raise PermissionDenied("您没有任何岗位,无法导出台账。")
    context = {"background": f"{BACKGROUND_ROWS:,}"}
    if "kind" not in request.GET:
        form = LedgerForm(reach=request.reach, initial={"period": rules.period_of(timezone.now())})
        return render(request, "reports/ledgers.html", {"form": form, **context})
    form = LedgerForm(request.GET, reach=request.reach)
    if not form.is_valid():
        return render(request, "reports/ledgers.html", {"form": form, **context}, status=400)
    data = form.cleaned_data
    try:
        ledger, filters = ledger_query.chosen(
            request.reach,
            kind=data["kind"],
            period=data["period"],
            received_from=data["received_from"],
            received_to=data["received_to"],
            unit=data["unit"],
            reveal=data.get("reveal", False),
        )
    except InvalidInput as err:
        raise Http404(err.message) from None
    params = {
        "source": "chosen",
        "kind": data["kind"],
        "period": data["period"],
        "received_from": str(data["received_from"] or ""),
        "received_to": str(data["received_to"] or ""),
        "unit": data["unit"],
        "reveal": ledger.reveal,
    }
    return _send(
        request, ledger, filename=ledger.title, what=ledger.title, filters=filters, params=params
    )


@login_required
def ledger_list(request):
    """The whole filtered list (the case list, a queue or a 考核 drill-down) as a ledger:
    the same query string as the page, through CaseFilter on the reader's cases."""
    query = request.GET
    code = query.get("queue", "")
    back = reverse("case_list")
    if code:
        back = reverse("queue", args=[code]) if code in queues.BY_CODE else back
    elif query.get("drill"):
        back = reverse("assessment_cases")
    back = f"{back}?{query.urlencode()}" if query else back
    now = timezone.now()
    try:
        ledger, what, kept = ledger_query.listed(request.reach, query, now=now)
    except RoleRefused as err:
        raise PermissionDenied(err.message) from None
    except InvalidInput as err:
        if code or query.get("drill"):
            raise Http404(err.message) from None
        messages.error(request, err.message)
        return redirect(back)
    params = {"source": "list", "query": ledger_query.query_params(query)}
    return _send(request, ledger, filename="工单台账", what=what, filters=kept, params=params)


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


# --- reports: the archive, ordering one, a run's progress, downloads ---------------------

RUN_PAGE = 30
FORMAT_LABELS = {"docx": "Word", "xlsx": "Excel", "pdf": "PDF"}
ORDERABLE = dict(windows.KINDS)


def _may_report(reach) -> bool:
    return bool(reach.roles & REPORT_ROLES)


class OrderForm(forms.Form):
    kind = forms.ChoiceField(label="报告", choices=list(ORDERABLE.items()), initial="monthly")
    period = forms.CharField(
        label="周期", required=False, help_text="月报:考核周期如 2026-11;年报:年份如 2026"
    )
    date = DayField(label="日期", required=False, help_text="日报、周报、调度会材料")
    start = DayField(label="专报从", required=False)
    end = DayField(label="至", required=False)
    unit = forms.TypedChoiceField(label="单位", coerce=int)
    formats = forms.MultipleChoiceField(
        label="格式",
        choices=list(FORMAT_LABELS.items()),
        initial=list(FORMAT_LABELS),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, reach, **kwargs):
        super().__init__(*args, **kwargs)
        self.reach = reach
        self.fields["unit"].choices = [
            (u.pk, u.name) for u in ledger_query.units(reach).only("pk", "name")
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        given = {}
        if kind in ("monthly", "annual"):
            if data.get("period"):
                given["period"] = data["period"].strip()
        elif kind == "special":
            if not (data.get("start") and data.get("end")):
                raise forms.ValidationError("专报须填开始和结束日期。")
            given = {"start": data["start"], "end": data["end"]}
        elif data.get("date"):
            given["date"] = data["date"]
        if kind == "annual" and not given.get("period", "2026").isdigit():
            raise forms.ValidationError("年报的周期填年份,如 2026。")
        try:
            windows.window(kind, **given)
        except ValueError as err:
            raise forms.ValidationError(str(err)) from None
        data["given"] = given
        return data


@login_required
def report_list(request):
    """The reports: scheduled and ordered ones with their downloads, and the order form."""
    reach = request.reach
    runs = report_jobs.readable(reach)
    kind = request.GET.get("kind", "")
    if kind:
        runs = runs.filter(kind=kind)
    rows, next_before = _page(runs, as_id(request.GET.get("before")))
    form = OrderForm(reach=reach) if _may_report(reach) else None
    return render(
        request,
        "reports/reports.html",
        {
            "runs": rows,
            "next_before": next_before,
            "kind": kind,
            "kinds": {**windows.KINDS, "ledger": "台账"},
            "form": form,
            "may_templates": bool(reach.roles & TEMPLATE_ROLES),
            "formats": FORMAT_LABELS,
        },
    )


def _page(runs, before):
    if before:
        runs = runs.filter(pk__lt=before)
    rows = list(runs.order_by("-id")[: RUN_PAGE + 1])
    more = rows[RUN_PAGE].pk if len(rows) > RUN_PAGE else None
    return rows[:RUN_PAGE], (rows[RUN_PAGE - 1].pk if more else None)


@login_required
@require_POST
def report_order(request):
    """Queue a report for the worker; the list shows it as it is built."""
    reach = request.reach
    if not _may_report(reach):
        raise PermissionDenied("只有组长、数据专员、区级督办和管理员可以生成报告。")
    form = OrderForm(request.POST, reach=reach)
    if not form.is_valid():
        runs, next_before = _page(report_jobs.readable(reach), None)
        context = {
            "runs": runs,
            "next_before": next_before,
            "kinds": {**windows.KINDS, "ledger": "台账"},
            "form": form,
            "may_templates": bool(reach.roles & TEMPLATE_ROLES),
            "formats": FORMAT_LABELS,
        }
        return render(request, "reports/reports.html", context, status=400)
    data = form.cleaned_data
    unit = ledger_query.units(reach).get(pk=data["unit"])
    run = report_jobs.order_report(
        data["kind"], reach=reach, unit=unit, formats=data["formats"], **data["given"]
    )
    messages.success(request, f"已提交“{run.title}”,正在排队生成,完成后可在下方下载。")
    return redirect("report_run", run.pk)


def _run_for(request, pk: int):
    run = report_jobs.readable(request.reach).filter(pk=pk).first()
    if run is None:
        raise Http404("没有这份报告,或您无权查看。")
    return run


@login_required
def report_run(request, pk: int):
    """One run: its state and progress (polled while it is built) and its downloads."""
    run = _run_for(request, pk)
    template = "reports/_run.html" if request.htmx else "reports/run.html"
    return render(request, template, {"run": run, "formats": FORMAT_LABELS})


@login_required
def report_file(request, pk: int, fmt: str):
    """Download one file of a finished run."""
    run = _run_for(request, pk)
    path = report_jobs.file_of(run, fmt) if fmt in FORMAT_LABELS else None
    if path is None:
        raise Http404("文件不存在:报告尚未生成完成,或已按保存期限删除。")
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=report_jobs.download_name(run, fmt)
    )


# --- the office's Word templates --------------------------------------------------------

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label="报告", choices=list(windows.KINDS.items()))
    file = forms.FileField(label="Word 模板(.docx)")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError("只能上传 Word 文档(.docx)。")
        if upload.size > TEMPLATE_MAX_BYTES:
            raise forms.ValidationError("模板文件不能超过 5 MB。")
        return upload


def _may_templates(request):
    if not request.reach.roles & TEMPLATE_ROLES:
        raise PermissionDenied("只有数据专员和系统管理员可以管理报告模板。")


@login_required
def template_list(request):
    """Each kind's template: the shipped default, the office's versions, which is used."""
    _may_templates(request)
    form = TemplateForm()
    status = 200
    if request.method == "POST":
        form = TemplateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                made = office_templates.upload(
                    form.cleaned_data["kind"],
                    form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except office_templates.TemplateRefused as err:
                form.add_error("file", str(err))
            else:
                messages.success(
                    request,
                    f"已上传{windows.KINDS[made.kind]}模板第 {made.version} 版,并设为当前使用。",
                )
                return redirect("report_templates")
        status = 400
    kinds = []
    for kind, label in windows.KINDS.items():
        versions = list(ReportTemplate.objects.filter(kind=kind).select_related("uploaded_by"))
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "versions": versions,
                "default_current": not any(v.current for v in versions),
            }
        )
    return render(request, "reports/templates.html", {"form": form, "kinds": kinds}, status=status)


@login_required
@require_POST
def template_use(request, kind: str):
    """Make one version (or the shipped default: no id) the one used from now on."""
    _may_templates(request)
    if kind not in windows.KINDS:
        raise Http404("没有这种报告。")
    pk = as_id(request.POST.get("version", ""))
    chosen = ReportTemplate.objects.filter(kind=kind, pk=pk).first() if pk else None
    if pk and chosen is None:
        raise Http404("没有这个模板版本。")
    report_jobs.make_current(chosen, kind)
    name = f"第 {chosen.version} 版" if chosen else "系统默认模板"
    messages.success(request, f"{windows.KINDS[kind]}今后使用{name}。")
    return redirect("report_templates")


@login_required
def template_file(request, kind: str, version: int = 0):
    """Download a template: the shipped default (version 0) or one of the office's."""
    _may_templates(request)
    if kind not in windows.KINDS:
        raise Http404("没有这种报告。")
    if version == 0:
        path = documents.TEMPLATES / f"{kind}.docx"
        name = f"{windows.KINDS[kind]}模板-系统默认.docx"
    else:
        found = ReportTemplate.objects.filter(kind=kind, version=version).first()
        path = office_templates.path_of(found) if found else None
        if path is None:
            raise Http404("没有这个模板版本。")
        name = f"{windows.KINDS[kind]}模板-第{version}版.docx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
