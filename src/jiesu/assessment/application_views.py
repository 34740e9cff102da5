"""Exemption and appeal application pages: the list, the filing form, the detail page with
its review steps, and the Word 情况说明."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from jiesu.assessment import applications, effect
from jiesu.assessment.documents import explanation_document
from jiesu.assessment.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    ExemptionGround,
)
from jiesu.audit import log as audit_log
from jiesu.cases import services
from jiesu.cases.errors import InvalidInput, WorkflowError
from jiesu.cases.models import Attachment
from jiesu.cases.presenters import masked_pii

PAGE_SIZE = 50
FILES_FIELD = "evidence_files"


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label="申请类型", choices=ApplicationKind.choices)
    ground = forms.ModelChoiceField(
        label="理由", queryset=ExemptionGround.objects.filter(active=True), empty_label="请选择"
    )
    explanation = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 8}))
    evidence = forms.ModelMultipleChoiceField(
        label="证据材料(本工单的附件)",
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = case.attachments.order_by("pk")


def _when(label: str) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, required=False, widget=widget)


class SubmissionForm(forms.Form):
    at = _when("提交平台时间(留空为现在)")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label="逾期提交理由(组长特批,超过截止时间时必填)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OutcomeForm(forms.Form):
    at = _when("结果时间(留空为现在)")
    note = forms.CharField(
        label="说明(查否时填写原因)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="审核意见(退回时必填)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


BUTTON_LABELS = {
    "revise": "保存修改",
    "submit_for_review": "提交审核",
    "first_review_approve": "审核通过",
    "first_review_reject": "退回修改",
    "second_review_approve": "审核通过",
    "second_review_reject": "退回修改",
    "record_submission": "登记提交平台",
    "record_outcome_passed": "登记结果:通过",
    "record_outcome_refused": "登记结果:查否",
}


def _visible(request, app_id):
    qs = Application.objects.visible_to(request.reach).select_related(
        "case__district", "case__street", "case__lead_unit", "case__category", "ground"
    )
    return get_object_or_404(qs, pk=app_id)


def _store_uploads(request, case) -> list:
    return [
        services.store_attachment(case, by=request.user, name=f.name, data=f.read())
        for f in request.FILES.getlist(FILES_FIELD)
    ]


@login_required
def application_list(request):
    now = timezone.now()
    visible = Application.objects.visible_to(request.reach)
    state = request.GET.get("state", "")
    period = request.GET.get("period", "")
    chosen = visible.select_related("case", "ground", "created_by")
    if state in ApplicationState.values:
        chosen = chosen.filter(state=state)
    if period:
        chosen = chosen.filter(period=period)
    page = Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessment/application_list.html",
        {
            "page": page,
            "rows": [
                (
                    app,
                    applications.deadline_lamp(app, now),
                    applications.days_left(app, now),
                )
                for app in page
            ],
            "states": ApplicationState.choices,
            "periods": visible.order_by("-period").values_list("period", flat=True).distinct(),
            "state": state,
            "period": period,
            "query": query.urlencode(),
        },
    )


@login_required
def application_new(request, case_id):
    case = get_object_or_404(request.reach.cases().select_related("district", "street"), pk=case_id)
    if not applications.may_apply(request.reach, case):
        raise PermissionDenied("只有本街乡镇的组长、坐席员或剔除专员可以提出剔除/申诉申请。")
    form = ApplicationForm(request.POST or None, case=case)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                uploaded = _store_uploads(request, case)
                app = applications.create(
                    case,
                    by=request.user,
                    kind=data["kind"],
                    ground=data["ground"],
                    explanation=data["explanation"],
                    evidence=[*data["evidence"], *uploaded],
                )
        except WorkflowError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
            status = err.status
        else:
            messages.success(request, "申请已创建(草稿)。核对证据后请提交审核。")
            return redirect("application_detail", app_id=app.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "assessment/application_form.html",
        {
            "case": case,
            "form": form,
            "existing": applications.active_application(case),
            "grounds": ExemptionGround.objects.filter(active=True),
            "files_field": FILES_FIELD,
        },
        status=status,
    )


def _local(iso: str | None) -> dt.datetime | None:
    return timezone.localtime(dt.datetime.fromisoformat(iso)) if iso else None


def _history(app) -> list[dict]:
    return [
        dict(
            entry,
            when=_local(entry["at"]),
            label=applications.HISTORY_LABELS.get(entry["action"], entry["action"]),
            to_label=ApplicationState(entry["to_state"]).label if entry["to_state"] else "",
            override_deadline=_local(entry.get("override", {}).get("deadline")),
        )
        for entry in app.history
    ]


def _detail_context(request, app, revise_form=None, submission_form=None) -> dict:
    now = timezone.now()
    allowed = applications.allowed_actions(app, request.reach)
    checklist = applications.checklist_status(app, applications.recorded_confirmations(app))
    revise_form = revise_form or ApplicationForm(
        case=app.case,
        initial={
            "kind": app.kind,
            "ground": app.ground_id,
            "explanation": app.explanation,
            "evidence": list(app.evidence.values_list("pk", flat=True)),
        },
    )
    return {
        "app": app,
        "case": app.case,
        "pii": masked_pii(app.case),
        "evidence": app.evidence.order_by("pk"),
        "checklist": checklist,
        "unmet": [item for item, match in checklist if match is None],
        "history": _history(app),
        "allowed": allowed,
        "buttons": BUTTON_LABELS,
        "lamp": applications.deadline_lamp(app, now),
        "days_left": applications.days_left(app, now),
        "deadline_text": applications.deadline_text(app),
        "late": applications.is_overdue(app, now),
        "may_override": applications.may_override_deadline(app, request.reach),
        "revise_form": revise_form if "revise" in allowed else None,
        "effect": effect.case_effect(app.case),
        "files_field": FILES_FIELD,
        "review_form": ReviewForm(),
        "submission_form": submission_form or SubmissionForm(),
        "outcome_form": OutcomeForm(),
    }


@login_required
def application_detail(request, app_id):
    app = _visible(request, app_id)
    return render(request, "assessment/application_detail.html", _detail_context(request, app))


def _valid(form) -> dict:
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        raise InvalidInput(f"{label}:{errors[0]}" if label else errors[0], field=field)
    return form.cleaned_data


def _perform(request, app, action: str) -> None:
    by = request.user
    if action == "revise":
        data = _valid(ApplicationForm(request.POST, case=app.case))
        with transaction.atomic():
            uploaded = _store_uploads(request, app.case)
            applications.revise(
                app,
                by=by,
                kind=data["kind"],
                ground=data["ground"],
                explanation=data["explanation"],
                evidence=[*data["evidence"], *uploaded],
            )
    elif action == "submit_for_review":
        applications.submit_for_review(
            app, by=by, confirmed_items=request.POST.getlist("confirmed_items")
        )
    elif action in ("first_review_approve", "first_review_reject"):
        note = _valid(ReviewForm(request.POST))["note"]
        applications.first_review(app, by=by, approve=action.endswith("approve"), note=note)
    elif action in ("second_review_approve", "second_review_reject"):
        note = _valid(ReviewForm(request.POST))["note"]
        applications.second_review(app, by=by, approve=action.endswith("approve"), note=note)
    elif action == "record_submission":
        data = _valid(SubmissionForm(request.POST))
        applications.record_submission(
            app,
            by=by,
            at=data["at"],
            note=data["note"],
            override_reason=data["override_reason"],
        )
    elif action in ("record_outcome_passed", "record_outcome_refused"):
        data = _valid(OutcomeForm(request.POST))
        applications.record_outcome(
            app, by=by, passed=action.endswith("passed"), at=data["at"], note=data["note"]
        )
    else:
        raise Http404("没有这个操作。")


@login_required
@require_POST
def application_act(request, app_id, action):
    app = _visible(request, app_id)
    try:
        _perform(request, app, action)
    except WorkflowError as err:
        messages.error(request, err.message)
        app = _visible(request, app_id)
        revise_form = submission_form = None
        if action == "revise":
            revise_form = ApplicationForm(request.POST, case=app.case)
            revise_form.is_valid()
        if action == "record_submission":  # keep what was typed, the late reason above all
            submission_form = SubmissionForm(request.POST)
            submission_form.is_valid()
        context = _detail_context(request, app, revise_form, submission_form)
        return render(request, "assessment/application_detail.html", context, status=err.status)
    messages.success(request, f"已{BUTTON_LABELS[action]}。")
    return redirect("application_detail", app_id=app.pk)


@login_required
def application_document(request, app_id):
    app = _visible(request, app_id)
    response = HttpResponse(
        explanation_document(app),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"情况说明-{app.case.platform_no}.docx"
    )
    audit_log.exported(request, "情况说明", 1, case=app.case.platform_no, application=app.pk)
    return response
