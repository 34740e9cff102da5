"""The 督办 pages: the orders and their answers, a new order, an order (forward, chase,
export the summary), a unit's answer, and the two lists of cases the district follows."""

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiesu.assessment.rules import period_bounds, period_of
from jiesu.audit import log
from jiesu.cases.display import masked_pii
from jiesu.cases.errors import WorkflowError
from jiesu.cases.filters import CaseFilter
from jiesu.cases.models import OPEN_STATES
from jiesu.core.params import as_id
from jiesu.core.workbooks import workbook_response
from jiesu.org.models import Unit
from jiesu.supervision import orders
from jiesu.supervision.models import ORDER_ROLES, OrderSource

PAGE = 100
LIST_LIMIT = 300
PERIOD = re.compile(r"20\d\d-\d\d")


def _bad(request, message: str, status: int = 400):
    return render(
        request,
        "web/error.html",
        {"status": status, "title": "请求有误", "message": message},
        status=status,
    )


def _when(field_label: str):
    return forms.DateTimeField(
        label=field_label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": f"请填写{field_label}。",
            "invalid": f"{field_label}格式不正确。",
        },
    )


class OrderForm(forms.Form):
    number = forms.CharField(
        label="督办单号", max_length=40, error_messages={"required": "请填写督办单号。"}
    )
    source = forms.ChoiceField(
        label="来源",
        choices=OrderSource.choices,
        error_messages={"required": "请选择督办来源。", "invalid_choice": "请选择督办来源。"},
    )
    street = forms.ModelChoiceField(
        label="街道(乡镇)",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "请选择您所在的街道。"},
    )
    received_at = _when("收到时间")
    answer_due_at = _when("答复时限")
    numbers = forms.CharField(
        label="督办工单编号",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "每行一个,或用逗号、空格隔开"}),
        error_messages={"required": "请填写至少一个督办工单编号。"},
    )
    demand = forms.CharField(
        label="督办要求",
        max_length=orders.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写督办要求。", "max_length": "督办要求过长。"},
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "提交的内容有误。"


def _may_read(reach) -> bool:
    """Anyone with a grant opens the page (the two lists are of their own cases); the
    orders are the desk's and the district 督办's, the answers the units'."""
    return bool(reach.grants)


@login_required
def order_list(request):
    reach = request.reach
    if not _may_read(reach):
        raise PermissionDenied("您没有岗位,无法查看督办。")
    now = timezone.now()
    rows = list(orders.with_counts(orders.visible(reach)).select_related("street")[:LIST_LIMIT])
    for order in rows:
        order.overdue = order.answered_count < order.answer_count and now > order.answer_due_at
    owed = list(
        orders.answers_to_write(reach)
        .select_related("order", "unit")
        .order_by(F("answered_at").asc(nulls_first=True), "order__answer_due_at")[:LIST_LIMIT]
    )
    for row in owed:
        row.timeliness = orders.timeliness(row, now)
    return render(
        request,
        "supervision/orders.html",
        {
            "orders": rows,
            "owed": owed,
            "may_record": orders.streets_for(reach).exists(),
            "show_orders": reach.holds(*ORDER_ROLES),
        },
    )


@login_required
def order_new(request):
    reach = request.reach
    streets = orders.streets_for(reach)
    if not streets.exists():
        raise PermissionDenied("只有街道的组长或坐席员可以登记督办单。")
    now = timezone.now()
    if request.method != "POST":
        initial = {
            "street": streets.first(),
            "received_at": now.astimezone(timezone.get_current_timezone()),
            "answer_due_at": (now + dt.timedelta(days=3)).astimezone(
                timezone.get_current_timezone()
            ),
        }
        return _form_page(request, OrderForm(streets=streets, initial=initial))
    form = OrderForm(request.POST, streets=streets)
    if not form.is_valid():
        return _form_page(request, form, _first_error(form))
    data = form.cleaned_data
    try:
        cases, missing = orders.resolve_numbers(reach, data["numbers"], data["street"])
        if missing:
            raise orders.OrderError(
                "以下工单编号在本街道找不到,或您无权查看:" + "、".join(missing[:20])
            )
        order = orders.record(
            number=data["number"],
            source=data["source"],
            received_at=data["received_at"],
            demand=data["demand"],
            answer_due_at=data["answer_due_at"],
            street=data["street"],
            cases=cases,
            by=request.user,
            now=now,
        )
    except orders.OrderError as e:
        return _form_page(request, form, str(e))
    messages.success(request, f"已登记督办单 {order.number}({len(cases)} 件工单)。")
    return redirect("order_detail", order.pk)


def _form_page(request, form, error=None):
    return render(
        request,
        "supervision/order_new.html",
        {"form": form, "error": error},
        status=400 if error else 200,
    )


def _order(request, pk):
    order = orders.visible(request.reach).filter(pk=pk).select_related("street").first()
    if order is None:
        raise Http404("没有这张督办单,或您无权查看。")
    return order


@login_required
def order_detail(request, pk: int):
    reach = request.reach
    order = _order(request, pk)
    now = timezone.now()
    answers = list(order.answers.select_related("unit", "answered_by").order_by("unit__path"))
    for row in answers:
        row.order = order
        row.timeliness = orders.timeliness(row, now)
    cases = [
        {"case": c, "title": masked_pii(c, content=False)["title"]}
        for c in order.cases.select_related("lead_unit").order_by("platform_no")
    ]
    may_forward = orders.may_forward(reach, order)
    have = {row.unit_id for row in answers}
    lead_units = {c["case"].lead_unit_id for c in cases}
    units = (
        [
            {"unit": u, "checked": u.pk in lead_units and u.pk not in have}
            for u in orders.units_for(order)
            if u.pk not in have
        ]
        if may_forward
        else []
    )
    return render(
        request,
        "supervision/order_detail.html",
        {
            "order": order,
            "answers": answers,
            "answered": sum(1 for r in answers if r.answered_at),
            "cases": cases,
            "units": units,
            "may_forward": may_forward,
            "may_manage": orders.may_manage(reach, order),
            "overdue": now > order.answer_due_at,
        },
    )


@login_required
@require_POST
def order_forward(request, pk: int):
    order = _order(request, pk)
    ids = [i for i in (as_id(v) for v in request.POST.getlist("unit")) if i]
    units = list(Unit.objects.filter(pk__in=ids))
    if len(units) != len(set(ids)):
        return _bad(request, "所选承办单位不存在。")
    try:
        done = orders.forward(order, units, by=request.user)
    except orders.OrderRefused as e:
        raise PermissionDenied(str(e)) from None
    except orders.OrderError as e:
        return _bad(request, str(e))
    except WorkflowError as e:
        return _bad(request, f"转办未完成:{e}", status=409)
    text = f"已转办 {len(done['added'])} 个承办单位"
    if done["supervised"]:
        text += f",{len(done['supervised'])} 件工单已记录督办"
    if done["left"]:
        text += f";已办结的工单未记录督办:{'、'.join(done['left'])}"
    messages.success(request, text + "。")
    return redirect("order_detail", order.pk)


@login_required
@require_POST
def order_chase(request, pk: int):
    order = _order(request, pk)
    try:
        told = orders.chase(order, by=request.user)
    except orders.OrderRefused as e:
        raise PermissionDenied(str(e)) from None
    if told:
        messages.success(request, f"已催报 {told} 个未答复的承办单位。")
    else:
        messages.info(request, "没有需要催报的单位(均已答复,或今天已催报过)。")
    return redirect("order_detail", order.pk)


@login_required
def order_summary(request, pk: int):
    order = _order(request, pk)
    now = timezone.now()
    book, count = orders.summary_workbook([order], now)
    if orders.may_manage(request.reach, order):
        orders.mark_summarized(order, now)
    log.exported(request, "督办汇总表", count, order=order.number)
    stamp = now.astimezone(timezone.get_current_timezone())
    return workbook_response(book, f"督办汇总表-{order.number}-{stamp:%Y%m%d%H%M}.xlsx")


@login_required
def orders_summary(request):
    """The summary table of every order the reader sees, or of those received in one
    assessment period (?period=2026-10)."""
    reach = request.reach
    if not reach.holds(*ORDER_ROLES):
        raise PermissionDenied("只有组长、坐席员和区级督办可以导出督办汇总表。")
    period = request.GET.get("period", "")
    rows = orders.visible(reach)
    if period:
        if not PERIOD.fullmatch(period) or not 1 <= int(period[5:]) <= 12:
            return _bad(request, "考核期格式不正确,应为“年-月”,如 2026-10。")
        start, end = period_bounds(period)
        rows = rows.filter(received_at__gte=start, received_at__lt=end)
    now = timezone.now()
    book, count = orders.summary_workbook(rows.order_by("received_at", "pk"), now)
    log.exported(request, "督办汇总表", count, period=period)
    stamp = now.astimezone(timezone.get_current_timezone())
    return workbook_response(book, f"督办汇总表-{period or '全部'}-{stamp:%Y%m%d%H%M}.xlsx")


@login_required
def answer_page(request, pk: int):
    row = (
        orders.answers_to_write(request.reach)
        .filter(pk=pk)
        .select_related("order", "unit", "answered_by")
        .first()
    )
    if row is None:
        raise Http404("没有这条督办答复,或您无权答复。")
    error = None
    if request.method == "POST":
        try:
            row = orders.answer(row, text=request.POST.get("text", ""), by=request.user)
        except orders.OrderRefused as e:
            raise PermissionDenied(str(e)) from None
        except orders.OrderError as e:
            error = str(e)
        else:
            messages.success(request, "答复已提交。")
            return redirect("order_answer", row.pk)
    order = row.order
    cases = [
        {"case": c, "title": masked_pii(c, content=False)["title"]}
        for c in order.cases.select_related("lead_unit").order_by("platform_no")
    ]
    row.timeliness = orders.timeliness(row, timezone.now())
    return render(
        request,
        "supervision/order_answer.html",
        {
            "row": row,
            "order": order,
            "cases": cases,
            "error": error,
            "text": request.POST.get("text", row.text) if error else row.text,
        },
        status=400 if error else 200,
    )


# --- the two lists -------------------------------------------------------------------------

LISTS = {
    "carried": "上期未办结工单",
    "direct": "市级直派街道工单",
}


def _case_list(request, which: str):
    reach = request.reach
    now = timezone.now()
    period = request.GET.get("period", "") or period_of(now)
    if which == "carried":
        cases = orders.carried_over(reach.cases(), now)
        period = orders.previous_period(now)
    else:
        if not PERIOD.fullmatch(period) or not 1 <= int(period[5:]) <= 12:
            return _bad(request, "考核期格式不正确,应为“年-月”,如 2026-10。")
        cases = orders.sent_direct(reach.cases(), period)
    found = CaseFilter(request.GET, queryset=cases, user=request.user)
    if found.is_bound and found.first_error():
        return _bad(request, found.first_error()[1])
    cases = found.qs
    by_state = dict(cases.order_by().values_list("state").annotate(n=Count("id")))
    by_unit = list(
        cases.order_by()
        .values("lead_unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_unit__name")[:20]
    )
    page = Paginator(
        cases.select_related("lead_unit").order_by("received_at", "pk"), PAGE
    ).get_page(request.GET.get("page"))
    rows = [{"case": c, "title": masked_pii(c, content=False)["title"]} for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    total = sum(by_state.values())
    return render(
        request,
        "supervision/order_cases.html",
        {
            "which": which,
            "title": LISTS[which],
            "period": period,
            "total": total,
            "open": sum(n for s, n in by_state.items() if s in OPEN_STATES),
            "by_unit": by_unit,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


@login_required
def carried_over(request):
    return _case_list(request, "carried")


@login_required
def sent_direct(request):
    return _case_list(request, "direct")
