"""Case pages: the filtered list, the detail page with its actions, reveals and files."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlencode,
)
from django.views.decorators.http import require_POST

from jiesu.audit import log as audit_log
from jiesu.cases import batch, deadlines, queries, queues, services, submit, workflow
from jiesu.cases.errors import InvalidInput, WorkflowError
from jiesu.cases.filters import CaseFilter
from jiesu.cases.forms import ACTION_FORMS, ONE_STEP
from jiesu.cases.models import Lamp, State
from jiesu.cases.presenters import TEXT_FIELDS, masked_event, masked_pii, masked_reply
from jiesu.core.masking import MASKERS, own_data
from jiesu.core.models import PiiField
from jiesu.core.params import as_id
from jiesu.core.workbooks import workbook_response
from jiesu.insights import duplicates, routing
from jiesu.quality.replies import reply_history, reply_parts
from jiesu.quality.reply_check import check_draft, check_reply, held_back
from jiesu.reports import exports

PAGE_SIZE = 50

# One-step actions a queue row offers. Approvals are decided on the case page, where the
# reply with its completeness check (or the special case in full) is in front of the
# decider; a row shows neither.
ROW_ACTIONS = ONE_STEP - {"approve", "approve_dispatch"}


def render_case_list(
    request,
    *,
    title,
    extra=None,
    queue=None,
    ordering=queries.BY_DUE_TIME,
    arrange=None,
    due_column="current_due_at",
    lamps=None,
    keep=None,
    intro=None,
    callback_columns=False,
    export_url=None,
):
    """The filtered, paged case list; shared by the full list, the queues and the 考核
    drill-down. `keep` holds parameters that define the list itself (kept through the
    filter form, paging and 清空), `intro` a line above the list; `arrange` puts a queue's
    filtered cases in the queue's order."""
    scoped = request.reach.cases()
    if extra is not None:
        scoped = scoped.filter(extra)
    found = CaseFilter(request.GET or None, scoped, request=request)
    form = found.form
    cases = queries.case_list(found.qs, ordering=ordering, now=found.now)
    if arrange is not None:
        cases = arrange(cases)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    may_bulk = batch.may_use(request.reach)
    if may_bulk:  # who may act on a case depends on its district and street
        prefetch_related_objects(page.object_list, "district", "street")
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
            "rows": [
                (case, masked_pii(case, content=False), _row_actions(request.reach, case, may_bulk))
                for case in page
            ],
            "may_bulk": may_bulk,
            "now": timezone.now(),
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


def _row_actions(reach, case, desk: bool) -> list[tuple[str, str]]:
    """The one-step actions (code, label) the user may take on a case from its list row."""
    if not desk:  # only the desk's roles take any of ROW_ACTIONS
        return []
    allowed = workflow.allowed_actions(reach, case, among=ROW_ACTIONS)
    return [(action, workflow.TRANSITIONS[action].label) for action in allowed]


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
    return get_object_or_404(queries.case_detail_queryset(request.reach), pk=case_id)


def _detail_context(request, case, forms=None):
    allowed = workflow.allowed_actions(request.reach, case)
    action_forms = forms or {}
    panels, buttons = [], []
    for a in allowed:
        if a in ACTION_FORMS:
            form = action_forms.get(a) or submit.form_for(case, a)
            (buttons if a in ONE_STEP else panels).append((a, workflow.TRANSITIONS[a].label, form))
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
        "may_reveal": services.may_reveal(request.reach, case),
        "revealable": [f for f in MASKERS if getattr(case, f)]
        + [f for f in TEXT_FIELDS if hides[f]],
        "timeline": timeline,
        "panels": panels,
        "buttons": buttons,
        "now": timezone.now(),
        "may_attach": "attach" in allowed,
        "evidence_actions": submit.EVIDENCE_ACTIONS,
        "review": _review(case, allowed),
        "duplicates": duplicates.possible_duplicates(request.reach, case),
        "replies": reply_history([event for event, _, _ in timeline], own),
        "may_apply": _may_apply(request.reach, case),
        "suggestions": routing.suggest(case) if {"dispatch", "redispatch"} & set(allowed) else [],
        "attachments": case.attachments.all(),
        "co_units": case.co_units.all(),
        "tags": case.tags.all(),
    }


def _may_apply(reach, case) -> bool:
    """Whether the user may file an exemption or appeal for the case: the applications' own
    rule (the roles their scope lets "apply"), read from the app registry because cases
    imports nothing of assessment."""
    if not apps.is_installed("jiesu.assessment"):
        return False
    applicants = apps.get_model("assessment", "Application").scope.roles_for("apply")
    return bool(reach.roles_on(case) & applicants)


def _review(case, allowed):
    """The reply in its five parts with the completeness check, for whoever reviews it."""
    if case.state != State.REPLIED or "approve" not in allowed:
        return None
    findings = check_reply(case)
    reply = masked_reply(case)
    given = {part: text for part, _, text in reply_parts(reply)}
    parts = [
        (part, label, given.get(part, ""), [f for f in findings if f.part == part])
        for part, label in workflow.REPLY_PARTS.items()
    ]
    return {
        "parts": parts,
        "findings": findings,
        "severe": any(f.severe for f in findings),
        "override": reply.get("override"),  # what the unit submitted despite, and why
    }


@login_required
def case_detail(request, case_id):
    case = _visible(request, case_id)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_act(request, case_id, action):
    case = _visible(request, case_id)
    version = request.POST.get("version")
    back = _back(request, default=None)
    try:
        submit.perform(
            case,
            action,
            by=request.user,
            data=request.POST,
            files=request.FILES.getlist(f"{action}-evidence"),
            expected_version=as_id(version),
        )
    except WorkflowError as err:
        if back:  # from a list row: the list again, with the refusal
            messages.error(request, f"{case.platform_no} 未能{_label(action)}:{err.message}")
            return redirect(back)
        form = (
            submit.form_for(case, action, request.POST) if action in workflow.TRANSITIONS else None
        )
        if form is not None:
            form.is_valid()
            form.add_error(err.field if err.field in form.fields else None, err.message)
        messages.error(request, err.message)
        case = _visible(request, case_id)
        context = _detail_context(request, case, {action: form} if form else None)
        return render(request, "cases/detail.html", context, status=err.status)
    if back:
        messages.success(request, f"已{_label(action)}:{case.platform_no}")
        return redirect(back)
    messages.success(request, f"已{_label(action)}。")
    return redirect("case_detail", case_id=case.pk)


def _label(action: str) -> str:
    t = workflow.TRANSITIONS.get(action)
    return t.label if t else action


def _back(request, default="/cases/"):
    """The page to return to (`next`), if it is one of ours."""
    back = request.POST.get("next")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return default


@login_required
@require_POST
def case_reply_check(request, case_id):
    """The submission check of a reply as it is being written (the reply form asks on each
    change); the same check holds the submission back."""
    case = _visible(request, case_id)
    try:
        workflow.check(case, "reply", request.user)
    except WorkflowError as err:
        return HttpResponse(escape(err.message), status=err.status)
    form = submit.form_for(case, "reply", request.POST)
    form.is_valid()
    parts = {part: form.cleaned_data.get(part) for part in workflow.REPLY_PARTS}
    findings = check_draft(case, parts, at=timezone.now())
    return render(
        request,
        "cases/_reply_findings.html",
        {"findings": findings, "held": bool(held_back(findings)), "offer": False},
    )


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
    if not batch.may_use(request.reach):
        raise PermissionDenied("批量操作仅供坐席员、组长和区级督办使用。")
    action = request.POST.get("bulk_action", "")
    chosen = batch.selected(request.reach, request.POST.getlist("ids"))
    back = _back(request)
    if not chosen:
        messages.error(request, "请先勾选工单。")
        return redirect(back)
    if action == "export":
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = workbook_response(exports.cases_xlsx(chosen), f"工单台账-{stamp}.xlsx")
        audit_log.exported(
            request, "工单台账(勾选)", len(chosen), cases=[c.platform_no for c in chosen][:200]
        )
        return response
    if action not in batch.BULK_ACTIONS:
        messages.error(request, "请选择批量操作。")
        return redirect(back)
    outcome = batch.run(request.user, action, chosen, {"note": request.POST.get("note", "")})
    label = batch.BULK_ACTIONS[action]
    if outcome.done:
        messages.success(request, f"已{label} {len(outcome.done)} 件。")
    for case, message in outcome.failed:
        messages.error(request, f"{case.platform_no} 未能{label}:{message}")
    return redirect(back)
