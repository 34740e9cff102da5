"""The audit page (安全审计): the filtered log, reveals per person per day, the CSV export."""

import csv
import io
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from jiesu.audit import queries
from jiesu.audit.forms import AuditFilterForm
from jiesu.audit.log import exported
from jiesu.core.params import as_id
from jiesu.reports.exports import safe_cell

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _readable(request):
    if not queries.may_read(request.reach):
        raise PermissionDenied("只有系统管理员和组长可以查看安全审计日志。")
    return queries.visible_events(request.reach)


def _filtered(request, events):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, queries.filtered(events, **form.filters())


@login_required
def audit_events(request):
    events = _readable(request)
    form, chosen = _filtered(request, events)
    admin = queries.is_audit_admin(request.reach)
    context = {
        "form": form,
        "is_audit_admin": admin,
        "alerts": queries.recent_alerts(events) if admin else [],
        "rows": [],
    }
    if chosen is None:
        return render(request, "audit/events.html", context, status=400)
    rows, next_before = queries.page(
        chosen, before=as_id(request.GET.get("before")), size=PAGE_SIZE
    )
    count, more = queries.bounded_count(chosen)
    query = request.GET.copy()
    query.pop("before", None)
    context.update(
        rows=[(e, _detail_text(e.detail)) for e in rows],
        next_before=next_before,
        paged=bool(request.GET.get("before")),
        count=count,
        more=more,
        query=query.urlencode(),
    )
    return render(request, "audit/events.html", context)


@login_required
def audit_reveals(request):
    days, table = queries.reveal_days(_readable(request))
    return render(request, "audit/reveals.html", {"days": days, "table": table})


HEADERS = ["序号", "时间", "用户名", "岗位", "事件", "来源地址", "浏览器", "对象", "详情", "哈希"]


@login_required
def audit_export(request):
    form, chosen = _filtered(request, _readable(request))
    if chosen is None:
        return HttpResponse("查询条件有误,未导出;请改正后再导出。", status=400)
    count, more = queries.bounded_count(chosen)
    total = chosen.order_by()[: EXPORT_LIMIT + 1].count() if more else count
    if total > EXPORT_LIMIT:
        return HttpResponse(
            f"超过 {EXPORT_LIMIT:,} 条,无法一次导出;请缩小时间范围后再导出。", status=400
        )
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for e in chosen.order_by("-id").iterator(chunk_size=2000):
        writer.writerow(
            [
                e.id,
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                safe_cell(e.actor_username),
                safe_cell(e.actor_roles),
                e.get_kind_display(),
                e.ip,
                safe_cell(e.user_agent),
                safe_cell(e.target_repr),
                safe_cell(_detail_text(e.detail)),
                e.hash,
            ]
        )
    exported(request, "安全审计日志", total, **{k: str(v) for k, v in form.filters().items()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"安全审计日志-{stamp}.csv")
    return response


def _detail_text(detail) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""
