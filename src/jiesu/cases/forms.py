"""One form per workflow action, shared by the web pages and the JSON API."""

import copy

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from jiesu.cases.models import Satisfaction, Solved
from jiesu.cases.workflow import REPLY_PARTS, TRANSITIONS
from jiesu.org.models import HANDLING_KINDS, Unit
from jiesu.quality.reply_check import check_reply, held_back, summary


class ActionForm(forms.Form):
    """Base: knows its case, so unit choices can be limited to the case's street."""

    def __init__(self, *args, case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)


def _when(label: str, required: bool = True) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, required=required, widget=widget)


# The longest note, reason or reply part: pages of text, never a megabyte.
MAX_TEXT = 5000


def _reason(label: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EmptyForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = _reason("原因")


class NoteForm(ActionForm):
    note = _reason("说明", required=False)


class RequiredNoteForm(ActionForm):
    note = _reason("督办意见")


class ReturnForm(ActionForm):
    reason = _reason("退回原因")


class DisputeForm(ActionForm):
    reason = _reason("异议理由")


def _handling_units(case):
    home = case.street or case.district
    return Unit.objects.filter(path__startswith=home.path, kind__in=HANDLING_KINDS, active=True)


class DispatchForm(ActionForm):
    lead_unit = forms.ModelChoiceField(label="主办单位", queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位", queryset=Unit.objects.none(), required=False
    )
    note = _reason("派单说明", required=False)
    unit_due_at = _when("单位办理时限(可选,留空则同工单办结时限)", required=False)
    due_reason = forms.CharField(label="调整时限的理由", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = _handling_units(self.case)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units


class RedispatchForm(DispatchForm):
    reason = _reason("改派原因")
    note = None


class ContactForm(ActionForm):
    contact_at = _when("联系时间")
    way = forms.CharField(label="联系方式", max_length=20, help_text="如:电话、上门、短信")
    summary = _reason("联系情况", required=False)


class ExtendForm(ActionForm):
    until = _when("申请延期至")
    reason = _reason("延期理由")


class ApproveExtensionForm(ActionForm):
    approved = forms.TypedChoiceField(
        label="审批意见",
        choices=[("true", "同意延期"), ("false", "不同意")],
        coerce=lambda v: v in (True, "true", "True", "1"),
        initial="true",
    )
    note = _reason("说明", required=False)


class ReplyForm(ActionForm):
    """The five parts, checked as they are submitted: a contradiction or an empty part holds
    the reply back unless the unit ticks 仍要提交 and gives its reason, which the reviewer
    then reads beside the findings."""

    contact_at = _when("联系时间")
    contact_way = forms.CharField(label="联系方式", max_length=20)
    facts = _reason("核实情况")
    actions = _reason("采取措施")
    result = _reason("办理结果或进展")
    citizen_response = _reason("诉求人反馈")
    anyway = forms.BooleanField(label="仍要提交(已知悉以上问题)", required=False)
    anyway_reason = _reason("仍要提交的理由", required=False)

    findings: list = []

    def clean(self):
        data = super().clean()
        anyway = data.pop("anyway", False)
        reason = (data.pop("anyway_reason", "") or "").strip()
        if self.errors:
            return data
        parts = {part: data.get(part) for part in REPLY_PARTS}
        self.findings = check_reply(self.case, parts, at=timezone.now())
        held = held_back(self.findings)
        if held and not anyway:
            raise forms.ValidationError(summary(held), code="held_back")
        if held and not reason:
            self.add_error("anyway_reason", "勾选“仍要提交”时须填写理由。")
        if held:
            data["override"] = {"reason": reason, "findings": [f.message for f in held]}
        return data

    @property
    def held(self) -> bool:
        """Whether the check holds this submission back (the page then offers 仍要提交)."""
        return bool(held_back(self.findings))


class CloseForm(ActionForm):
    answer = _reason("答复内容")


class CallbackForm(ActionForm):
    kind = forms.ChoiceField(
        label="回访类型",
        choices=[("pre", "预回访(本单位)"), ("official", "平台回访结果")],
        initial="pre",
        required=False,
    )
    valid = forms.BooleanField(label="有效回访", required=False, initial=True)
    contacted = forms.BooleanField(label="已联系", required=False, initial=True)
    solved = forms.ChoiceField(label="是否解决", choices=Solved.choices)
    satisfaction = forms.ChoiceField(label="是否满意", choices=Satisfaction.choices)
    note = _reason("回访记录", required=False)

    def clean_kind(self):
        return self.cleaned_data["kind"] or "official"  # other systems send platform results


class TextForm(ActionForm):
    text = _reason("备注内容")


def _needing(action: str, form: type[ActionForm]) -> type[ActionForm]:
    """The action's form, requiring exactly the fields the transition table says the action
    needs (workflow.Transition.needs); every other field is optional."""
    needs = TRANSITIONS[action].need_names
    fields = copy.deepcopy(form.base_fields)
    if needs - fields.keys():
        raise ImproperlyConfigured(f"{form.__name__} lacks {sorted(needs - fields.keys())}")
    for name, field in fields.items():
        field.required = name in needs
    needing = type(form.__name__, (form,), {"__module__": __name__})
    needing.base_fields = fields
    return needing


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "sign": EmptyForm,
    "return": ReturnForm,
    "dispute": DisputeForm,
    "approve_dispatch": NoteForm,
    "dispatch": DispatchForm,
    "redispatch": RedispatchForm,
    "contact": ContactForm,
    "urge": NoteForm,
    "supervise": RequiredNoteForm,
    "extend": ExtendForm,
    "approve_extension": ApproveExtensionForm,
    "reply": ReplyForm,
    "approve": NoteForm,
    "reject": ReasonForm,
    "close": CloseForm,
    "callback": CallbackForm,
    "reopen": ReasonForm,
    "shelve": ReasonForm,
    "unshelve": ReasonForm,
    "note": TextForm,
}
ACTION_FORMS = {action: _needing(action, form) for action, form in ACTION_FORMS.items()}

# The actions that need nothing (签收, 催办, 审批派单, 审核通过): one button runs them; the
# others open a panel for their input.
ONE_STEP = frozenset(action for action in ACTION_FORMS if not TRANSITIONS[action].needs)
