"""粘贴录入: paste a case copied from a 12345 page, check the pre-filled form, save it."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render

from jiesu.cases import workflow
from jiesu.cases.errors import WorkflowError
from jiesu.cases.filters import CategoryChoiceField
from jiesu.cases.models import Case, Category, Channel, Platform, RequestType, Urgency
from jiesu.insights.duplicates import same_caller
from jiesu.intake import paste
from jiesu.intake.desk import desk_streets
from jiesu.org.models import Unit, UnitKind

TITLE_CHARS = 25
COMMUNITY_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE)
# Longest first: 华龙苑南里社区居委会 → 华龙苑南里
COMMUNITY_SUFFIXES = ("社区居委会", "村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")


def _communities(streets):
    under = Q(pk__in=[])
    for street in streets:
        under |= Q(path__startswith=street.path)
    return Unit.objects.filter(under, kind__in=COMMUNITY_KINDS, active=True)


def _when(label: str, required: bool = True) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, required=required, widget=widget)


class PasteCaseForm(forms.Form):
    """The pasted text and the case it becomes, checked by the operator before saving."""

    text = forms.CharField(
        label="粘贴的工单文本", required=False, widget=forms.Textarea(attrs={"rows": 16})
    )
    platform = forms.ChoiceField(label="来源平台", choices=[("", "请选择"), *Platform.choices])
    street = forms.ModelChoiceField(label="被反映街乡镇", queryset=Unit.objects.none())
    platform_no = forms.CharField(label="工单编号", max_length=40)
    received_at = _when("来电时间")
    request_type = forms.ChoiceField(
        label="诉求类型", choices=[("", "请选择"), *RequestType.choices]
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.ORDINARY)
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, initial=Channel.PHONE)
    category = CategoryChoiceField(
        label="问题分类", queryset=Category.objects.all(), required=False, empty_label="(未选)"
    )
    community = forms.ModelChoiceField(
        label="村/社区", queryset=Unit.objects.none(), required=False, empty_label="(未选)"
    )
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(label="主要内容", widget=forms.Textarea(attrs={"rows": 6}))
    caller_name = forms.CharField(label="来电人", max_length=50, required=False)
    caller_phone = forms.CharField(label="来电人电话", max_length=30, required=False)
    address = forms.CharField(label="详细地址", max_length=200, required=False)
    company_name = forms.CharField(label="企业名称", max_length=100, required=False)
    limit_days = forms.IntegerField(label="办理时限(天)", min_value=1, required=False)
    limit_hours = forms.IntegerField(label="办理时限(小时)", min_value=1, required=False)
    platform_due_at = _when("平台截止时间", required=False)

    def __init__(self, *args, streets: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.streets = streets
        self.fields["community"].queryset = _communities(streets)
        if len(streets) == 1:
            del self.fields["street"]
        else:
            self.fields["street"].queryset = Unit.objects.filter(pk__in=[s.pk for s in streets])

    def clean(self):
        data = super().clean()
        limits = [f for f in ("limit_days", "limit_hours", "platform_due_at") if data.get(f)]
        if len(limits) > 1:
            raise forms.ValidationError("办理时限(天)、办理时限(小时)、平台截止时间只填一项。")
        street, community = self.chosen_street(), data.get("community")
        if street and community and not community.is_within(street):
            self.add_error("community", f"“{community.name}”不在{street.name}辖内。")
        return data

    def chosen_street(self) -> Unit | None:
        if len(self.streets) == 1:
            return self.streets[0]
        return self.cleaned_data.get("street")

    def case_fields(self) -> dict:
        """Keyword arguments for workflow.receive."""
        data = dict(self.cleaned_data)
        data.pop("text")
        street = self.chosen_street()
        return data | {"street": street, "district": street.parent}


# --- from the parsed text to the form ----------------------------------------------


def prefill(parsed: paste.Parsed, streets: list[Unit]) -> tuple[dict, list[str]]:
    """The form's initial values from the parsed fields, and what the operator should
    check: names that match nothing here, a title made up from the content."""
    found = parsed.fields
    initial = {k: v for k, v in found.items() if k in PasteCaseForm.base_fields}
    notes: list[str] = []
    street = _street_named(found.get("street_name"), streets, notes)
    if street is not None:
        initial["street"] = street.pk
        _check_district(found.get("district_name"), street, notes)
    if found.get("category_path"):
        category = match_category(found["category_path"], notes)
        initial["category"] = category.pk if category else None
    if found.get("community_name") and street is not None:
        community = match_community(found["community_name"], street, notes)
        initial["community"] = community.pk if community else None
    if not found.get("title") and found.get("content"):
        initial["title"] = suggested_title(found["content"])
        notes.append(f"没有找到标题,已取诉求内容的前{TITLE_CHARS}个字作为标题,请核对。")
    return initial, notes


def _same_place(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)  # 霍营 / 霍营街道, 昌平 / 昌平区


def _street_named(name: str | None, streets: list[Unit], notes: list[str]) -> Unit | None:
    if len(streets) == 1:
        street = streets[0]
        if name and not _same_place(name, street.name):
            notes.append(f"文本中的被反映街乡镇是“{name}”,本工单将录入{street.name},请核对。")
        return street
    matching = [s for s in streets if name and _same_place(name, s.name)]
    if len(matching) == 1:
        return matching[0]
    notes.append("您在多个街乡镇任职,请选择本工单的被反映街乡镇。")
    return None


def _check_district(name: str | None, street: Unit, notes: list[str]) -> None:
    district = street.parent
    if name and district and not _same_place(name, district.name):
        notes.append(f"文本中的被反映区是“{name}”,{street.name}属于{district.name},请核对。")


def match_category(path: tuple[str, ...], notes: list[str]) -> Category | None:
    """The category with this full path, else the one category whose last levels match."""
    full = "->".join(path)
    exact = Category.objects.filter(full_name=full).first()
    if exact:
        return exact
    same_name = list(Category.objects.filter(name=path[-1]))
    tail = [c for c in same_name if c.full_name.endswith(full)]
    if len(tail) == 1:
        if len(path) > 1:
            notes.append(f"问题分类“{full}”按“{tail[0].full_name}”填写,请核对。")
        return tail[0]
    if len(same_name) == 1:
        notes.append(f"问题分类“{full}”在系统中没有,已按末级“{path[-1]}”填写,请核对。")
        return same_name[0]
    if same_name:
        notes.append(f"问题分类“{full}”有多个同名的末级分类,请手工选择。")
    else:
        notes.append(f"问题分类“{full}”在系统中没有找到,请手工选择。")
    return None


def _bare_name(name: str) -> str:
    for suffix in COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def match_community(name: str, street: Unit, notes: list[str]) -> Unit | None:
    """The street's community or village of this name, with or without 社区/村委会."""
    units = list(_communities([street]))
    exact = [u for u in units if u.name == name]
    matching = exact or [u for u in units if _bare_name(u.name) == _bare_name(name)]
    if len(matching) == 1:
        return matching[0]
    if matching:
        names = "、".join(u.name for u in matching)
        notes.append(f"村/社区“{name}”可对应{names},请手工选择。")
    else:
        notes.append(f"村/社区“{name}”不在{street.name}的社区/村中,请手工选择。")
    return None


def suggested_title(content: str) -> str:
    """The first words of the content, without a dangling comma. Lines join without a
    space: a line break in a copied Chinese text is only where the page wrapped."""
    text = "".join(" ".join(line.split()) for line in content.splitlines())
    return re.sub(r"[,，、;；:：\s]+$", "", text[:TITLE_CHARS])


# 可能重复: the city and district platforms often send the same matter.
possible_duplicates = same_caller


# --- the page ----------------------------------------------------------------------


@login_required
def paste_case(request):
    streets = list(desk_streets(request.reach).select_related("parent"))
    if not streets:
        raise PermissionDenied("只有街乡镇的坐席员或组长可以粘贴录入工单。")
    step = request.POST.get("step") if request.method == "POST" else None
    text = request.POST.get("text", "")
    parsed = paste.parse(text) if text.strip() else None
    initial, notes = prefill(parsed, streets) if parsed else ({}, [])
    if step == "save":
        form = PasteCaseForm(request.POST, streets=streets)
        if form.is_valid():
            try:
                case = workflow.receive(by=request.user, **form.case_fields())
            except WorkflowError as err:
                form.add_error(err.field if err.field in form.fields else None, err.message)
            else:
                messages.success(request, f"已录入工单 {case.platform_no}。")
                return redirect("case_detail", case_id=case.pk)
        return _page(request, form, parsed, notes, status=422)
    initial |= {"text": text, "platform": request.POST.get("platform", "")}
    form = PasteCaseForm(initial=initial, streets=streets)
    return _page(request, form, parsed, notes, empty_paste=step == "parse" and not parsed)


def _page(request, form, parsed, notes, *, status=200, empty_paste=False):
    """The paste box; once there is a text, the notes on it and the form to save."""

    def value(name):
        if not form.is_bound:
            return form.initial.get(name)
        try:
            return form.fields[name].clean(form[name].data)
        except forms.ValidationError:
            return None

    context = {
        "form": form,
        "parsed": parsed,
        "notes": (parsed.warnings + notes) if parsed else [],
        "empty_paste": empty_paste,
        "raw": [(k, v, k in paste.IGNORED) for k, v in parsed.raw.items()] if parsed else [],
        "case_fields": [f for f in form if f.name not in ("text", "platform")],
        "existing": _existing(request.reach, value("platform"), value("platform_no")),
        "duplicates": possible_duplicates(
            request.reach,
            platform=value("platform"),
            caller_phone=value("caller_phone"),
            received_at=value("received_at"),
        ),
    }
    return render(request, "intake/paste.html", context, status=status)


def _existing(reach, platform, platform_no):
    """Cases already entered under this number, for a link next to the field."""
    if not platform_no:
        return Case.objects.none()
    cases = reach.cases().filter(platform_no=platform_no)
    return cases.filter(platform=platform) if platform else cases
