"""One form per workflow action, shared by the web pages and the JSON API."""

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from jiesu.cases.models import (
    Category,
    Lamp,
    Platform,
    RequestType,
    Satisfaction,
    Solved,
    State,
    Tag,
)
from jiesu.cases.queries import CaseFilter
from jiesu.cases.workflow import REPLY_PARTS
from jiesu.core import params
from jiesu.core.fields import DayField
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

# The actions whose form asks for nothing (签收, 催办, 审批派单, 审核通过): one button runs
# them; the others open a panel for their input.
ONE_STEP = frozenset(
    action
    for action, form in ACTION_FORMS.items()
    if not any(field.required for field in form.base_fields.values())
)


class FastSelect(forms.Select):
    """A select that writes its options in Python. Django renders each option through a
    template, which made the case list's filter form three quarters of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v not in (None, "")}
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), mark_safe(" selected") if str(v) in chosen else "", label)
                for v, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


UNCONFIRMED = "(待确认)"


def category_label(category) -> str:
    """A category where it can be picked; one an import created says so until confirmed."""
    name = category.full_name or category.name
    return f"{name}{UNCONFIRMED}" if category.unconfirmed else name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return category_label(obj)


# What the search box finds (cases.search); the list page shows it on the box.
SEARCH_PLACEHOLDER = "标题、内容、工单编号、分类、标签或来电电话"
SEARCH_HELP = (
    "多个词用空格隔开,工单须符合每个词。一个词可以是:标题或内容里的字词;"
    "工单编号或其中连续 4 位以上(如后 6 位);问题分类或标签的名称;"
    "来电人的完整电话或电话后 4 位(组长、坐席员和承办单位可查)。"
)


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(
        widget=FastSelect, label="状态", choices=[("", "全部状态"), *State.choices], required=False
    )
    lamp = forms.ChoiceField(
        widget=FastSelect,
        label="警示灯",
        choices=[("", "全部警示灯"), *Lamp.choices[:3]],
        required=False,
    )
    unit = forms.ModelChoiceField(
        widget=FastSelect,
        label="承办单位",
        queryset=Unit.objects.filter(kind__in=HANDLING_KINDS),
        required=False,
        empty_label="全部承办单位",
    )
    community = forms.ModelChoiceField(
        widget=FastSelect,
        label="社区/村",
        queryset=Unit.objects.filter(kind__in=["community", "village"]),
        required=False,
        empty_label="全部社区/村",
    )
    category = CategoryChoiceField(
        widget=FastSelect,
        label="问题分类",
        queryset=Category.objects.all(),
        required=False,
        empty_label="全部分类",
    )
    request_type = forms.ChoiceField(
        widget=FastSelect,
        label="诉求类型",
        choices=[("", "全部诉求类型"), *RequestType.choices],
        required=False,
    )
    tag = forms.ModelChoiceField(
        widget=FastSelect,
        label="标签",
        queryset=Tag.objects.all(),
        required=False,
        empty_label="全部标签",
    )
    platform = forms.ChoiceField(
        widget=FastSelect,
        label="来源平台",
        choices=[("", "全部平台"), *Platform.choices],
        required=False,
    )
    received_from = DayField(label="受理日期从")
    received_to = DayField(label="至")
    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=params.MAX_SEARCH_CHARS,
        help_text=SEARCH_HELP,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": SEARCH_PLACEHOLDER, "title": SEARCH_HELP}
        ),
    )

    def clean_q(self):
        q = self.cleaned_data.get("q")
        if not params.search_ok(q):
            raise forms.ValidationError(params.SEARCH_MESSAGE)
        return q

    def to_filter(self) -> CaseFilter:
        """The filter the submitted form describes; no filter when it is invalid."""
        if not self.is_valid():
            return CaseFilter()
        data = self.cleaned_data
        return CaseFilter(
            state=data["state"] or None,
            lamp=data["lamp"] or None,
            unit=data["unit"].pk if data["unit"] else None,
            community=data["community"].pk if data["community"] else None,
            category=data["category"].pk if data["category"] else None,
            request_type=data["request_type"] or None,
            tag=data["tag"].pk if data["tag"] else None,
            platform=data["platform"] or None,
            received_from=data["received_from"],
            received_to=data["received_to"],
            q=data["q"] or None,
        )
