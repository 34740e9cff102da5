"""Case pages: the filtered list, the detail page with its actions, reveals and files."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import (
    content_disposition_header,
    url_has_allowed_host_and_scheme,
    urlencode,
)
from django.views.decorators.http import require_POST

from jiesu.audit import log as audit_log
from jiesu.cases import actions, bulk, deadlines, queries, queues, services, workflow
from jiesu.cases.errors import InvalidInput, WorkflowError
from jiesu.cases.forms import ACTION_FORMS, CaseFilterForm
from jiesu.cases.models import Lamp, State
from jiesu.cases.presenters import TEXT_FIELDS, masked_event, masked_pii, masked_reply
from jiesu.core.masking import MASKERS, own_data
from jiesu.core.models import PiiField
from jiesu.core.params import as_id
from jiesu.insights import duplicates, routing
from jiesu.org.models import Role
from jiesu.quality.reply_check import check_reply
from jiesu.reports import exports

PAGE_SIZE = 50


def render_case_list(
    request,
    *,
    title,
    extra=None,
    queue=None,
    ordering=queries.BY_DUE_TIME,
    due_column="current_due_at",
    lamps=None,
    keep=None,
    intro=None,
    callback_columns=False,
    export_url=None,
):
    """The filtered, paged case list; shared by the full list, the queues and the 考核
    drill-down. `keep` holds parameters that define the list itself (kept through the
    filter form, paging and 清空), `intro` a line above the list."""
    form = CaseFilterForm(request.GET or None)
    cases = queries.case_list(request.user, form.to_filter(), extra=extra, ordering=ordering)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "title": title,
            "queue": queue,
            "form": form,
            "page": page,
            "rows": [(case, masked_pii(case, content=False)) for case in page],
            "query": query.urlencode(),
            "due_column": due_column,
            "lamps": lamps,
            "keep": keep or {},
            "keep_query": urlencode(keep or {}),
            "intro": intro,
            "callback_columns": callback_columns,
            "export_url": export_url,
        },
    )


@login_required
def case_list(request):
    lamps = queues.lamp_counts(request.user, timezone.now())
    return render_case_list(
        request,
        title="全部工单",
        ordering=queries.NEWEST_FIRST,
        lamps=[(lamp, Lamp(lamp).label, n) for lamp, n in lamps.items()],
    )


def _visible(request, case_id):
    return get_object_or_404(queries.case_detail_queryset(request.user), pk=case_id)


def _detail_context(request, case, forms=None):
    allowed = workflow.allowed_actions(request.user, case)
    action_forms = forms or {}
    panels = [
        (a, workflow.TRANSITIONS[a].label, action_forms.get(a) or actions.form_for(case, a))
        for a in allowed
        if a in ACTION_FORMS
    ]
    lamp = deadlines.clock_fields(case, timezone.now())["lamp"]
    own = own_data(case)
    pii = masked_pii(case)
    reply = masked_reply(case)
    timeline = [(e, *masked_event(e, own)) for e in queries.timeline(case)]
    # a free text may be revealed when its masked form differs from what is stored
    hides = {
        "title": pii["title"] != case.title,
        "content": pii["content"] != case.content,
        "reply": reply != (case.reply or {}),
        "notes": any(reason != event.reason for event, _, reason in timeline),
    }
    return {
        "case": case,
        "lamp": lamp,
        "lamp_label": Lamp(lamp).label,
        "pii": pii,
        "pii_fields": [(f, PiiField(f).label) for f in MASKERS],
        "may_reveal": services.may_reveal(request.user, case),
        "revealable": [f for f in MASKERS if getattr(case, f)]
        + [f for f in TEXT_FIELDS if hides[f]],
        "timeline": timeline,
        "panels": panels,
        "may_attach": "attach" in allowed,
        "evidence_actions": actions.EVIDENCE_ACTIONS,
        "review": _review(case, allowed),
        "duplicates": duplicates.possible_duplicates(request.user, case),
        "reply_rows": _reply_rows(reply),
        "may_apply": bool(
            workflow.roles_on_case(request.user, case)
            & {Role.LEADER, Role.OPERATOR, Role.EXEMPTION}
        ),
        "suggestions": routing.suggest(case) if {"dispatch", "redispatch"} & set(allowed) else [],
        "attachments": case.attachments.all(),
        "co_units": case.co_units.all(),
        "tags": case.tags.all(),
    }


def _reply_rows(reply: dict) -> list[tuple[str, str, str]]:
    """The latest reply (already masked) as (part, label, text) rows, times in local time."""
    reply = dict(reply)
    if reply.get("contact_at"):
        when = timezone.localtime(dt.datetime.fromisoformat(reply["contact_at"]))
        reply["contact_at"] = f"{when:%Y-%m-%d %H:%M}"
    labels = dict(workflow.REPLY_PARTS, unit="办理单位")
    return [(part, labels[part], reply[part]) for part in labels if reply.get(part)]


def _review(case, allowed):
    """The reply in its five parts with the completeness check, for whoever reviews it."""
    if case.state != State.REPLIED or "approve" not in allowed:
        return None
    findings = check_reply(case)
    given = {part: text for part, _, text in _reply_rows(masked_reply(case))}
    parts = [
        (part, label, given.get(part, ""), [f for f in findings if f.part == part])
        for part, label in workflow.REPLY_PARTS.items()
    ]
    return {"parts": parts, "findings": findings, "severe": any(f.severe for f in findings)}


@login_required
def case_detail(request, case_id):
    case = _visible(request, case_id)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_act(request, case_id, action):
    case = _visible(request, case_id)
    version = request.POST.get("version")
    try:
        actions.perform(
            case,
            action,
            by=request.user,
            data=request.POST,
            files=request.FILES.getlist(f"{action}-evidence"),
            expected_version=as_id(version),
        )
    except WorkflowError as err:
        form = (
            actions.form_for(case, action, request.POST) if action in workflow.TRANSITIONS else None
        )
        if form is not None:
            form.is_valid()
            form.add_error(err.field if err.field in form.fields else None, err.message)
        messages.error(request, err.message)
        case = _visible(request, case_id)
        context = _detail_context(request, case, {action: form} if form else None)
        return render(request, "cases/detail.html", context, status=err.status)
    messages.success(request, f"已{workflow.TRANSITIONS[action].label}。")
    return redirect("case_detail", case_id=case.pk)


@login_required
@require_POST
def case_reveal(request, case_id, field):
    case = _visible(request, case_id)
    try:
        value = services.reveal(case, by=request.user, field=field)
    except WorkflowError as err:
        return HttpResponse(escape(err.message), status=err.status)
    # htmx puts the answer into the page as HTML: a citizen's text must arrive as text.
    return HttpResponse(escape(value), content_type="text/html; charset=utf-8")


@login_required
@require_POST
def case_upload(request, case_id):
    case = _visible(request, case_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("请选择要上传的文件。", field="file")
        services.check_upload(upload.name, upload.size)
        services.store_attachment(case, by=request.user, name=upload.name, data=upload.read())
        messages.success(request, f"已上传:{upload.name}")
    except WorkflowError as err:
        messages.error(request, err.message)
    return redirect("case_detail", case_id=case.pk)


@login_required
def case_attachment(request, case_id, attachment_id):
    case = _visible(request, case_id)
    attachment = get_object_or_404(case.attachments, pk=attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.name,
    )


@login_required
@require_POST
def case_bulk(request):
    """Bulk sign, urge or export of the cases ticked in a list."""
    action = request.POST.get("bulk_action", "")
    chosen = bulk.selected(request.user, request.POST.getlist("ids"))
    back = request.POST.get("next") or "/cases/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/cases/"
    if not chosen:
        messages.error(request, "请先勾选工单。")
        return redirect(back)
    if action == "export":
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            exports.cases_xlsx(chosen),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(True, f"工单台账-{stamp}.xlsx")
        audit_log.exported(
            request, "工单台账(勾选)", len(chosen), cases=[c.platform_no for c in chosen][:200]
        )
        return response
    if action not in bulk.BULK_ACTIONS:
        messages.error(request, "请选择批量操作。")
        return redirect(back)
    outcome = bulk.run(request.user, action, chosen, {"note": request.POST.get("note", "")})
    label = bulk.BULK_ACTIONS[action]
    if outcome.done:
        messages.success(request, f"已{label} {len(outcome.done)} 件。")
    for case, message in outcome.failed:
        messages.error(request, f"{case.platform_no} 未能{label}:{message}")
    return redirect(back)
