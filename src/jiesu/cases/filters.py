"""The case filter, declared once: the list pages, the API's case list and the exports read
their query strings through CaseFilter, on the cases the caller may see."""

import datetime as dt

import django_filters as df
import pydantic
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from ninja import Schema

from jiesu.cases import deadlines, search
from jiesu.cases.labels import category_label
from jiesu.cases.models import Case, Category, Channel, Lamp, Platform, RequestType, State, Tag
from jiesu.core import params
from jiesu.core.fields import DayField
from jiesu.core.localtime import LOCAL
from jiesu.org.models import HANDLING_KINDS, Unit

# What the search box finds (cases.search); the list page shows it on the box.
SEARCH_PLACEHOLDER = "标题、内容、工单编号、分类、标签或来电电话"
SEARCH_HELP = (
    "多个词用空格隔开,工单须符合每个词。一个词可以是:标题或内容里的字词;"
    "工单编号或其中连续 4 位以上(如后 6 位);问题分类或标签的名称;"
    "来电人的完整电话或电话后 4 位(组长、坐席员和承办单位可查)。"
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


class _OfferedChoices(ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.offered


class CategoryChoiceField(forms.ModelChoiceField):
    """A category offered by its whole path (城市管理->市容环境)."""

    def label_from_instance(self, obj):
        return category_label(obj)


class OfferingChoiceField(forms.ModelChoiceField):
    """Accepts any row of `queryset` and offers the rows of `offered` in its select: the
    list offers the handling units, a program may name any unit (a street, say)."""

    iterator = _OfferedChoices

    def __init__(self, queryset, *, offered, **kwargs):
        self.offered = offered
        super().__init__(queryset, **kwargs)


class SearchField(forms.CharField):
    """The search box: at most MAX_SEARCH_CHARS characters and MAX_SEARCH_WORDS words."""

    def clean(self, value):
        value = super().clean(value)
        if not params.search_ok(value):
            raise forms.ValidationError(params.SEARCH_MESSAGE)
        return value


class _Choice(df.ChoiceFilter):
    field_class = forms.ChoiceField

    def __init__(self, *, label, choices, empty, **kwargs):
        super().__init__(label=label, choices=[("", empty), *choices], widget=FastSelect, **kwargs)


class _Row(df.ModelChoiceFilter):
    def __init__(self, *, label, empty, field_class=forms.ModelChoiceField, **kwargs):
        self.field_class = field_class
        super().__init__(label=label, empty_label=empty, widget=FastSelect, **kwargs)


class _Day(df.DateFilter):
    field_class = DayField


class _Search(df.CharFilter):
    field_class = SearchField


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def in_unit(unit: Unit) -> Q:
    """Cases of a unit's subtree: as lead unit, as co-unit or as community."""
    subtree = Unit.objects.filter(path__startswith=unit.path).values("id")
    co_unit = Case.co_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=subtree)
    return Q(lead_unit_id__in=subtree) | Q(community_id__in=subtree) | Exists(co_unit)


class CaseFilter(df.FilterSet):
    """The case list's filters on a queryset the caller gives (`reach.cases()`, narrowed to a
    queue or a 考核 number). `user` is who searches: the search finds callers' phones only
    for a user who may reveal them. `qs` is every given case while the filter is invalid,
    so the page lists them under its error; the API refuses, an export does not export."""

    state = _Choice(label="状态", choices=State.choices, empty="全部状态")
    lamp = _Choice(label="警示灯", choices=Lamp.choices[:3], empty="全部警示灯", method="_lamp")
    unit = _Row(
        label="承办单位",
        empty="全部承办单位",
        field_class=OfferingChoiceField,
        queryset=Unit.objects.all(),
        offered=Unit.objects.filter(kind__in=HANDLING_KINDS),
        method="_unit",
    )
    community = _Row(
        label="社区/村",
        empty="全部社区/村",
        queryset=Unit.objects.filter(kind__in=["community", "village"]),
    )
    category = _Row(
        label="问题分类",
        empty="全部分类",
        field_class=CategoryChoiceField,
        queryset=Category.objects.all(),
        method="_category",
    )
    request_type = _Choice(label="诉求类型", choices=RequestType.choices, empty="全部诉求类型")
    tag = _Row(label="标签", empty="全部标签", queryset=Tag.objects.all(), method="_tag")
    platform = _Choice(label="来源平台", choices=Platform.choices, empty="全部平台")
    received_from = _Day(label="受理日期从", method="_received_from")
    received_to = _Day(label="至", method="_received_to")
    # what the dashboard's figures open: a channel, a closing day, a lead unit alone
    channel = _Choice(label="渠道", choices=Channel.choices, empty="全部渠道")
    closed_from = _Day(label="办结日期从", method="_closed_from")
    closed_to = _Day(label="至", method="_closed_to")
    lead_unit = _Row(
        label="主办单位",
        empty="全部主办单位",
        field_class=OfferingChoiceField,
        queryset=Unit.objects.all(),
        offered=Unit.objects.filter(kind__in=HANDLING_KINDS),
    )
    # last: a search with few matches draws the list from them (search.Found)
    q = _Search(
        label="关键词",
        help_text=SEARCH_HELP,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": SEARCH_PLACEHOLDER,
                "title": SEARCH_HELP,
                "maxlength": params.MAX_SEARCH_CHARS,
            }
        ),
        method="_search",
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, user=None, now=None):
        super().__init__(data, queryset, request=request)
        self.user = user if user is not None else getattr(request, "user", None)
        self.now = now or timezone.now()

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            cases = self.queryset.all()
            self._qs = self.filter_queryset(cases) if self.is_bound and self.is_valid() else cases
        return self._qs

    def first_error(self) -> tuple[str, str] | None:
        """(parameter, message) of the first thing wrong, None when all is well."""
        for name, errors in self.errors.items():
            return name, errors[0]
        return None

    def _lamp(self, cases, name, lamp):
        return cases.filter(deadlines.lamp_filter(lamp, self.now))

    def _unit(self, cases, name, unit):
        return cases.filter(in_unit(unit))

    def _category(self, cases, name, category):
        return cases.filter(category__path__startswith=category.path)

    def _tag(self, cases, name, tag):
        tagged = Case.tags.through.objects.filter(case_id=OuterRef("pk"), tag_id=tag.pk)
        return cases.filter(Exists(tagged))

    def _received_from(self, cases, name, day):
        return cases.filter(received_at__gte=_local_midnight(day))

    def _received_to(self, cases, name, day):
        return cases.filter(received_at__lt=_local_midnight(day + dt.timedelta(days=1)))

    def _closed_from(self, cases, name, day):
        return cases.filter(closed_at__gte=_local_midnight(day))

    def _closed_to(self, cases, name, day):
        return cases.filter(closed_at__lt=_local_midnight(day + dt.timedelta(days=1)))

    def _search(self, cases, name, query):
        found = search.find(query, self.user)
        cases = cases.filter(found.condition)
        if found.few:  # the list is drawn from the few matches (see search.Found)
            cases = Case.objects.filter(pk__in=cases.values("pk"))
        return cases


# What the API's schema says of a parameter beyond the page's label.
API_WORDS = {
    "unit": "承办单位 ID:该单位及其下级单位作为主办单位、协办单位或所属社区的工单",
    "community": "社区/村 ID",
    "category": "问题分类 ID,含其下级分类",
    "tag": "标签 ID",
    "received_from": "受理日期从(YYYY-MM-DD,北京时间,含当日)",
    "received_to": "受理日期至(YYYY-MM-DD,北京时间,含当日)",
    "channel": "渠道",
    "closed_from": "办结日期从(YYYY-MM-DD,北京时间,含当日)",
    "closed_to": "办结日期至(YYYY-MM-DD,北京时间,含当日)",
    "lead_unit": "主办单位 ID:仅该单位本身作为主办单位的工单(不含下级单位和协办)",
    "q": SEARCH_HELP,
}


def _typed(name: str, field: forms.Field):
    """The type and OpenAPI description of a filter's query parameter."""
    extra = {}
    if isinstance(field, forms.ModelChoiceField):
        kind = int
    elif isinstance(field, forms.DateField):
        kind = dt.date
    elif isinstance(field, forms.ChoiceField):
        kind = str
        extra["enum"] = [str(value) for value, _ in field.choices if value != ""]
    else:
        kind = str
    words = API_WORDS.get(name, str(field.label))
    return kind | None, pydantic.Field(None, description=words, json_schema_extra=extra)


def query_schema(name: str, **more) -> type[Schema]:
    """The API's query parameters for CaseFilter (its filters' names, types and labels, for
    the OpenAPI schema), plus `more` (name=(type, default)). CaseFilter itself validates."""
    fields = {n: _typed(n, f.field) for n, f in CaseFilter.base_filters.items()}
    return pydantic.create_model(name, __base__=Schema, **fields, **more)
