"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Services are the problem categories (问题分类); a POSTed service request becomes a case
through `workflow.receive`. Personal data never leaves: no caller fields, the address
masked, coordinates coarsened. See docs/open311.md for the mapping and the decisions.
"""

import datetime as dt
import functools
import json
import re
import uuid
import xml.etree.ElementTree as ET

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from jiesu.cases import workflow
from jiesu.cases.errors import WorkflowError
from jiesu.cases.models import Case, Category, Channel, Platform, RequestType, State
from jiesu.core.masking import mask_address, mask_text, own_data
from jiesu.core.models import ApiToken, TokenRefused
from jiesu.intake import values
from jiesu.org.access import DESK_ROLES, Reach
from jiesu.org.models import Unit, UnitKind

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Sortable date of the last change to this service list's shape (see docs/open311.md).
CHANGESET = "2026-11-22T00:00:00+08:00"
MAX_REQUESTS = 1000
MAX_SPAN = dt.timedelta(days=90)
NUMBER_PREFIX = "O311-"
DEFAULT_REQUEST_TYPE = RequestType.HELP

# jiesu state → (Open311 status, FixMyStreet-style extended status for status_notes)
STATUS = {
    State.RECEIVED: ("open", "open"),
    State.ACCEPTED: ("open", "open"),
    State.DISPATCHED: ("open", "in_progress"),
    State.REPLIED: ("open", "in_progress"),
    State.SHELVED: ("open", "in_progress"),
    State.CLOSED: ("closed", "fixed"),
    State.RETURNED: ("closed", "not_councils_responsibility"),
}
CLOSED_STATES = [state for state, (status, _) in STATUS.items() if status == "closed"]

REQUEST_TYPE_ATTRIBUTE = {
    "variable": True,
    "code": "request_type",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": f"不填为“{DEFAULT_REQUEST_TYPE.label}”",
    "order": 1,
    "description": "诉求类型",
    "values": [{"key": key, "name": label} for key, label in RequestType.choices],
}

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item of a list, after the spec's XML (the Spark convention).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_POINT = re.compile(r"^WGS84 (-?\d+\.\d+),(-?\d+\.\d+)$")


class Open311Error(Exception):
    """An error in the spec's form: HTTP status and a description for the user."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0])
        self.status = status
        self.descriptions = descriptions


# --- output ------------------------------------------------------------------------


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        element.extend(_element(key, child) for key, child in value.items())
    elif isinstance(value, list):
        element.extend(_element(XML_ITEMS[name], child) for child in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
    return element


def render(data, root: str, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
            _element(root, data), encoding="unicode"
        )
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body.encode(), content_type=CONTENT_TYPES[fmt], status=status)


def _errors(err: Open311Error) -> list[dict]:
    return [{"code": err.status, "description": d} for d in err.descriptions]


def endpoint(root: str, methods: tuple[str, ...] | None = ("GET",)):
    """A GeoReport resource: `.json`, `.xml` or no suffix (JSON); errors in the spec's form.
    `methods=None` accepts any method."""

    def wrap(view):
        @csrf_exempt  # api_key only, never the session cookie: nothing to forge
        @functools.wraps(view)
        def run(request, fmt=None, **kwargs):
            fmt = (fmt or "json").lower()
            try:
                if fmt not in CONTENT_TYPES:
                    fmt = "json"
                    raise Open311Error(400, "只支持 .json 和 .xml 格式。(unsupported format)")
                if methods and request.method not in methods:
                    raise Open311Error(
                        405, f"只支持 {'、'.join(methods)} 请求。(method not allowed)"
                    )
                return render(view(request, **kwargs), root, fmt)
            except Open311Error as err:
                response = render(_errors(err), "errors", fmt, err.status)
                if err.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return run

    return wrap


def _w3c(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# --- api_key -----------------------------------------------------------------------


def token_reach(request) -> Reach:
    """The Reach of the api_key's user: Open311 knows no session, only its key."""
    return Reach(token_user(request))


def token_user(request):
    """The user of the api_key (form field, query string, or `Authorization: Bearer`)."""
    raw = request.POST.get("api_key") or request.GET.get("api_key")
    if not raw:
        scheme, _, rest = request.headers.get("Authorization", "").partition(" ")
        raw = rest.strip() if scheme.lower() == "bearer" else ""
    if not raw:
        raise Open311Error(403, "缺少 api_key,无法继续。(missing api_key)")
    try:
        user = ApiToken.user_for(raw)
    except TokenRefused as refused:
        raise Open311Error(403, f"{refused}(expired or revoked api_key)") from refused
    if user is None:
        raise Open311Error(403, "api_key 无效,无法继续。(invalid api_key)")
    return user


# --- discovery and services --------------------------------------------------------


@endpoint("discovery")
def discovery(request):
    base = request.build_absolute_uri(reverse("open311:discovery")).rsplit("/", 1)[0]
    return {
        "changeset": CHANGESET,
        "contact": "请联系本单位接诉即办工作平台的系统管理员。",
        "key_service": "api_key 由系统管理员用 `jiesu token 用户名` 签发;"
        "提交诉求须为街乡镇或区的组长、坐席员。",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service(category: Category) -> dict:
    names = category.full_name.split("->")
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": category.full_name,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(names),
        "group": names[0],
    }


def _number(value: str) -> int | None:
    """A database id from the URL or the query, or None if it cannot be one."""
    return int(value) if value.isdecimal() and len(value) <= 18 else None


def _category(code: str) -> Category:
    number = _number(code)
    category = Category.objects.filter(pk=number).first() if number else None
    if category is None:
        raise Open311Error(404, f"没有编码为“{code}”的服务。(service_code not found)")
    return category


@endpoint("services")
def services(request):
    return [service(c) for c in Category.objects.all()]


@endpoint("service_definition")
def service_definition(request, code):
    return {"service_code": str(_category(code).pk), "attributes": [REQUEST_TYPE_ATTRIBUTE]}


# --- service requests: reading -----------------------------------------------------


def open311_status(case) -> tuple[str, str]:
    """(status, extended status); a case the desk closed without a unit is `closed`."""
    status, extended = STATUS[case.state]
    if case.state == State.CLOSED and case.lead_unit_id is None:
        extended = "closed"
    return status, extended


def _point(location: str) -> tuple[float | None, float | None]:
    """Coordinates stored by POST, coarsened to ~100 m: an exact point is personal data."""
    match = _POINT.match(location or "")
    if match is None:
        return None, None
    return round(float(match[1]), 3), round(float(match[2]), 3)


def _notice(case) -> str:
    due = timezone.localtime(case.due_at) if case.due_at else None
    if due and STATUS[case.state][0] == "open":
        return f"工单编号 {case.platform_no},办结时限 {due:%Y-%m-%d %H:%M}。"
    return f"工单编号 {case.platform_no}。"


def request_out(case) -> dict:
    status, extended = open311_status(case)
    lat, long = _point(case.location)
    own = own_data(case)
    place = mask_text(case.location, own) if lat is None else ""
    unit = case.lead_unit or case.street or case.district
    return {
        "service_request_id": str(case.pk),
        "status": status,
        "status_notes": f"{case.get_state_display()} ({extended})",
        "service_name": case.category.name if case.category_id else None,
        "service_code": str(case.category_id) if case.category_id else None,
        "description": mask_text(case.content, own),
        "agency_responsible": unit.name,
        "service_notice": _notice(case),
        "requested_datetime": _w3c(case.received_at),
        "updated_datetime": _w3c(case.closed_at or case.returned_at or case.updated_at),
        "expected_datetime": _w3c(case.due_at),
        "address": mask_address(case.address) or place or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": None,
    }


def _values(request, name: str) -> list[str]:
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _ids(request, name: str) -> list[int]:
    numbers = [_number(v) for v in _values(request, name)]
    if None in numbers:
        raise Open311Error(400, f"{name} 须为以逗号分隔的数字。(invalid {name})")
    return numbers


def _moment(request, name: str) -> dt.datetime | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    # an unencoded "+08:00" arrives as " 08:00"
    value = re.sub(r" (\d\d:\d\d)$", r"+\1", value)
    moment = values.parse_datetime(value, midnight=True)
    if moment is None:
        raise Open311Error(
            400, f"{name} 须为 W3C 日期时间,如 2026-03-01T00:00:00+08:00。(invalid {name})"
        )
    return moment


def _span(request) -> tuple[dt.datetime, dt.datetime]:
    """requested_datetime range: at most 90 days, the most recent 90 by default."""
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, "end_date 不能早于 start_date。(invalid date range)")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "查询时间跨度不能超过 90 天。(date range over 90 days)")
        return start, end
    if start:
        return start, start + MAX_SPAN
    end = end or timezone.now()
    return end - MAX_SPAN, end


def _statuses(request) -> set[str]:
    statuses = set(_values(request, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能为 open 或 closed。(invalid status)")
    return statuses


def find_requests(request, reach):
    """The cases the user may see that match the query, newest first, at most 1000."""
    cases = reach.cases().select_related("category", "lead_unit", "street", "district")
    ids = _ids(request, "service_request_id")
    if ids:  # overrides every other argument
        return cases.filter(pk__in=ids).order_by("-received_at")[:MAX_REQUESTS]
    codes = _ids(request, "service_code")
    statuses = _statuses(request)
    start, end = _span(request)
    if codes:
        paths = Category.objects.filter(pk__in=codes).values_list("path", flat=True)
        within = Q(pk__in=[])
        for path in paths:  # a service covers its sub-categories, as the case filters do
            within |= Q(category__path__startswith=path)
        cases = cases.filter(within)
    if statuses == {"closed"}:
        cases = cases.filter(state__in=CLOSED_STATES)
    elif statuses == {"open"}:
        cases = cases.exclude(state__in=CLOSED_STATES)
    cases = cases.filter(received_at__gte=start, received_at__lte=end)
    return cases.order_by("-received_at")[:MAX_REQUESTS]


def _visible_case(reach, request_id: str) -> Case:
    number = _number(request_id)
    case = reach.cases().filter(pk=number).first() if number else None
    if case is None:
        raise Open311Error(
            404, f"没有找到编号为“{request_id}”的诉求,或您无权查看。(service_request_id not found)"
        )
    return case


@endpoint("service_requests")
def service_request(request, request_id):
    return [request_out(_visible_case(token_reach(request), request_id))]


# --- service requests: creating ----------------------------------------------------


class ServiceRequestForm(forms.Form):
    """The POST arguments jiesu keeps; device_id, address_id and unknown ones are ignored."""

    service_code = forms.CharField()
    description = forms.CharField(max_length=4000)
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    long = forms.FloatField(min_value=-180, max_value=180, required=False)
    address_string = forms.CharField(max_length=200, required=False)
    first_name = forms.CharField(max_length=24, required=False)
    last_name = forms.CharField(max_length=24, required=False)
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(max_length=60, required=False)
    account_id = forms.CharField(max_length=60, required=False)
    media_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in ("lat", "long", "address_string")):
            return data
        has_lat, has_long = data.get("lat") is not None, data.get("long") is not None
        if has_lat != has_long:
            raise forms.ValidationError("lat 和 long 须同时提供。(lat and long go together)")
        if not has_lat and not data.get("address_string"):
            raise forms.ValidationError(
                "须提供位置:lat 和 long,或 address_string(本平台没有地址库,不接受"
                "单独的 address_id)。(location required)"
            )
        return data


def _form_errors(form) -> Open311Error:
    lines = [
        message if field == "__all__" else f"{field}:{message}(invalid {field})"
        for field, messages in form.errors.items()
        for message in messages
    ]
    return Open311Error(400, *lines)


def _request_type(request) -> str:
    value = request.POST.get("attribute[request_type]", "").strip()
    if value and value not in RequestType.values:
        keys = "、".join(RequestType.values)
        raise Open311Error(
            400, f"attribute[request_type] 须为 {keys} 之一。(invalid attribute[request_type])"
        )
    return value or DEFAULT_REQUEST_TYPE


def receiving_street(reach, jurisdiction_id: str) -> Unit:
    """The street (街乡镇) the case goes to: where the user works the desk (组长/坐席员).

    A desk role on a district, or on several streets, needs jurisdiction_id: the
    street's 区划代码 or id.
    """
    desks = (UnitKind.STREET, UnitKind.DISTRICT)
    if not reach.holds(*DESK_ROLES, kinds=desks):
        raise Open311Error(
            403, "该 api_key 的用户不是街乡镇或区的组长、坐席员,不能提交诉求。(api_key not allowed)"
        )
    streets = list(
        reach.units(DESK_ROLES, kinds=[UnitKind.STREET], granted_kinds=desks)
        .filter(active=True)
        .select_related("parent")
    )
    if jurisdiction_id:
        streets = [s for s in streets if jurisdiction_id in (s.code, str(s.pk))]
        if not streets:
            raise Open311Error(
                404,
                f"没有找到街乡镇“{jurisdiction_id}”,或您不在其接诉岗位上。"
                "(jurisdiction_id not found)",
            )
    if len(streets) != 1:
        raise Open311Error(
            400,
            "该 api_key 可为多个街乡镇接收诉求,请用 jurisdiction_id 指明(街乡镇的区划代码)。"
            "(jurisdiction_id not provided)",
        )
    return streets[0]


def _title(description: str) -> str:
    line = description.strip().splitlines()[0].strip()
    return line if len(line) <= 30 else line[:29] + "…"


def _caller_name(first: str, last: str) -> str:
    if first and last and not (first + last).isascii():
        return last + first  # 张 + 三: the family name first, no space
    return " ".join(part for part in (first, last) if part)


def create_request(request) -> list[dict]:
    reach = token_reach(request)
    form = ServiceRequestForm(request.POST)
    if not form.is_valid():
        raise _form_errors(form)
    data = form.cleaned_data
    category = _category(data["service_code"])
    request_type = _request_type(request)
    street = receiving_street(reach, request.POST.get("jurisdiction_id", "").strip())
    now = timezone.now()
    content = data["description"]
    if data["media_url"]:
        content += f"\n\n附图链接:{data['media_url']}"
    location = f"WGS84 {data['lat']:.6f},{data['long']:.6f}" if data["lat"] is not None else ""
    try:
        case = workflow.receive(
            by=reach.user,
            at=now,
            platform=Platform.DISTRICT,
            platform_no=f"{NUMBER_PREFIX}{timezone.localtime(now):%Y%m%d}-{uuid.uuid4().hex[:10]}",
            channel=Channel.WEB,
            request_type=request_type,
            category=category,
            title=_title(data["description"]),
            content=content,
            caller_name=_caller_name(data["first_name"], data["last_name"]),
            caller_phone=data["phone"],
            caller_account=data["account_id"] or data["email"],
            address=data["address_string"],
            location=location,
            district=street.parent,
            street=street,
            received_at=now,
        )
    except WorkflowError as err:
        raise Open311Error(400, err.message) from None
    return [
        {"service_request_id": str(case.pk), "service_notice": _notice(case), "account_id": None}
    ]


@endpoint("service_requests", methods=("GET", "POST"))
def service_requests(request):
    if request.method == "POST":
        return create_request(request)
    return [request_out(case) for case in find_requests(request, token_reach(request))]


@endpoint("errors", methods=None)
def not_found(request, path=""):
    raise Open311Error(404, "没有这个 Open311 资源。(resource not found)")
