"""Open311 GeoReport v2 at /open311/v2/: discovery, services, POST and GET requests."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from jiesu.cases import workflow
from jiesu.cases.models import Case, Channel, Platform, RequestType, State
from jiesu.core.models import ApiToken
from jiesu.intake import open311
from jiesu.org.models import Membership, Role
from tests.conftest import at

BASE = "/open311/v2"
MARCH = {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-31T00:00:00+08:00"}


@pytest.fixture
def key(people):
    def issue(username):
        return ApiToken.issue(people[username])

    return issue


@pytest.fixture
def spec_post(categories, key):
    """The spec's example POST, in Beijing."""
    return {
        "api_key": key("zuoxi"),
        "jurisdiction_id": "110114010",
        "service_code": str(categories["stalls"].pk),
        "lat": "40.0712345",
        "long": "116.3301234",
        "address_string": "华龙苑南里12号楼东侧",
        "email": "zhangsan@example.com",
        "device_id": "tt222111",
        "account_id": "zhangsan-2026",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812341234",
        "description": "华龙苑南里东门每天晚上有商贩占道经营,噪音大,垃圾多,希望尽快处理。\n已经持续一个月。",
        "media_url": "http://example.com/media/638344.jpg",
        "attribute[request_type]": "complaint",
    }


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def rows(root: ET.Element) -> list[dict]:
    """The flat items of a list document, each element's text ('' when empty)."""
    return [{child.tag: child.text or "" for child in item} for item in root]


def as_xml_text(items: list[dict]) -> list[dict]:
    """The JSON items as their XML text would read."""
    text = {None: "", True: "true", False: "false"}
    return [
        {k: text[v] if v is None or isinstance(v, bool) else str(v) for k, v in item.items()}
        for item in items
    ]


def errors(response, status: int) -> list[str]:
    """The descriptions of an error response in the spec's form, checking its shape."""
    assert response.status_code == status
    body = response.json()
    assert all(set(e) == {"code", "description"} and e["code"] == status for e in body)
    return [e["description"] for e in body]


# --- discovery and services --------------------------------------------------------


def test_discovery_in_json_and_xml(client, db):
    expected = {
        "changeset": open311.CHANGESET,
        "contact": "请联系本单位接诉即办工作平台的系统管理员。",
        "key_service": "api_key 由系统管理员用 `jiesu token 用户名` 签发;"
        "提交诉求须为街乡镇或区的组长、坐席员。",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://testserver/open311/v2",
                "changeset": open311.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    response = client.get(f"{BASE}/discovery.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == expected
    assert client.get(f"{BASE}/discovery").json() == expected
    assert client.get(f"{BASE}/").json() == expected

    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("changeset") == open311.CHANGESET
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_the_categories(client, categories):
    top, mid, stalls = categories["top"], categories["mid"], categories["stalls"]

    def service(category, name, description, keywords):
        return {
            "service_code": str(category.pk),
            "service_name": name,
            "description": description,
            "metadata": False,
            "type": "realtime",
            "keywords": keywords,
            "group": "城乡建设",
        }

    expected = [
        service(top, "城乡建设", "城乡建设", "城乡建设"),
        service(mid, "市容环卫", "城乡建设->市容环卫", "城乡建设, 市容环卫"),
        service(stalls, "占道经营", "城乡建设->市容环卫->占道经营", "城乡建设, 市容环卫, 占道经营"),
        service(
            categories["garbage"],
            "垃圾清运",
            "城乡建设->市容环卫->垃圾清运",
            "城乡建设, 市容环卫, 垃圾清运",
        ),
    ]
    body = client.get(f"{BASE}/services.json").json()
    assert sorted(body, key=lambda s: int(s["service_code"])) == expected

    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert all(item.tag == "service" for item in root)
    assert rows(root) == as_xml_text(body)


def test_service_definition_offers_the_request_type(client, categories):
    code = str(categories["stalls"].pk)
    body = client.get(f"{BASE}/services/{code}.json").json()
    assert body["service_code"] == code
    [attribute] = body["attributes"]
    assert {k: v for k, v in attribute.items() if k != "values"} == {
        "variable": True,
        "code": "request_type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "不填为“求助”",
        "order": 1,
        "description": "诉求类型",
    }
    assert attribute["values"][:2] == [
        {"key": "consult", "name": "咨询"},
        {"key": "help", "name": "求助"},
    ]
    assert len(attribute["values"]) == len(RequestType.choices)

    root = xml_of(client.get(f"{BASE}/services/{code}.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == code
    assert root.findtext("attributes/attribute/required") == "false"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == list(
        RequestType.values
    )


@pytest.mark.parametrize("code", ["99999", "abc", "²"])
def test_an_unknown_service_is_404_in_the_spec_form(client, categories, code):
    response = client.get(f"{BASE}/services/{code}.json")
    assert errors(response, 404) == [f"没有编码为“{code}”的服务。(service_code not found)"]
    root = xml_of(client.get(f"{BASE}/services/{code}.xml"))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"


def test_formats_methods_and_unknown_resources(client, db):
    response = client.get(f"{BASE}/services.csv")
    assert errors(response, 400) == ["只支持 .json 和 .xml 格式。(unsupported format)"]

    response = client.delete(f"{BASE}/requests.json")
    assert errors(response, 405) == ["只支持 GET、POST 请求。(method not allowed)"]
    assert response["Allow"] == "GET, POST"

    root = xml_of(client.get(f"{BASE}/tokens/123456.xml"))
    assert client.get(f"{BASE}/tokens/123456.xml").status_code == 404
    assert rows(root) == [
        {"code": "404", "description": "没有这个 Open311 资源。(resource not found)"}
    ]


# --- POST requests -----------------------------------------------------------------


def test_post_creates_one_received_case(client, spec_post, categories, people, org):
    before = timezone.now()
    response = client.post(f"{BASE}/requests.json", spec_post)

    assert response.status_code == 200
    case = Case.objects.get()
    assert response.json() == [
        {
            "service_request_id": str(case.pk),
            "service_notice": f"工单编号 {case.platform_no},"
            f"办结时限 {timezone.localtime(case.due_at):%Y-%m-%d %H:%M}。",
            "account_id": None,
        }
    ]
    assert case.state == State.RECEIVED
    assert case.platform == Platform.DISTRICT
    assert case.platform_no.startswith(f"O311-{timezone.localtime(case.received_at):%Y%m%d}-")
    assert len(case.platform_no) == len("O311-20261122-") + 10
    assert case.channel == Channel.WEB
    assert case.request_type == RequestType.COMPLAINT
    assert case.category == categories["stalls"]
    assert case.title == "华龙苑南里东门每天晚上有商贩占道经营,噪音大,垃圾多,希望…"
    assert case.content == (
        "华龙苑南里东门每天晚上有商贩占道经营,噪音大,垃圾多,希望尽快处理。\n已经持续一个月。"
        "\n\n附图链接:http://example.com/media/638344.jpg"
    )
    assert (case.caller_name, case.caller_phone, case.caller_account) == (
        "张三",
        "13812341234",
        "zhangsan-2026",
    )
    assert case.address == "华龙苑南里12号楼东侧"
    assert case.location == "WGS84 40.071235,116.330123"
    assert (case.district, case.street, case.community) == (org["district"], org["street"], None)
    assert before <= case.received_at <= timezone.now()
    assert case.due_at is not None
    assert list(case.events.values_list("action", "actor__username", "to_state")) == [
        ("receive", "zuoxi", "received")
    ]
    assert ApiToken.objects.get(user=people["zuoxi"]).last_used_at is not None


def test_post_in_xml_with_the_fewest_arguments(client, spec_post):
    minimal = {k: spec_post[k] for k in ("api_key", "service_code", "description")}
    response = client.post(f"{BASE}/requests.xml", dict(minimal, address_string="霍营地铁站"))

    case = Case.objects.get()
    root = xml_of(response)
    assert root.tag == "service_requests"
    assert [(e.tag, e.text) for e in root.find("request")] == [
        ("service_request_id", str(case.pk)),
        (
            "service_notice",
            f"工单编号 {case.platform_no},办结时限 {timezone.localtime(case.due_at):%Y-%m-%d %H:%M}。",
        ),
        ("account_id", None),
    ]
    assert case.request_type == RequestType.HELP  # no attribute[request_type]
    assert (case.caller_name, case.caller_phone, case.caller_account) == ("", "", "")
    assert (case.address, case.location) == ("霍营地铁站", "")


def test_western_names_and_email_as_account(client, spec_post):
    post = dict(spec_post, first_name="John", last_name="Smith", account_id="")
    assert client.post(f"{BASE}/requests.json", post).status_code == 200
    case = Case.objects.get()
    assert (case.caller_name, case.caller_account) == ("John Smith", "zhangsan@example.com")


@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        ({"service_code": "99999"}, 404, "没有编码为“99999”的服务。(service_code not found)"),
        (
            {"lat": "", "long": "", "address_string": ""},
            400,
            "须提供位置:lat 和 long,或 address_string(本平台没有地址库,不接受单独的"
            " address_id)。(location required)",
        ),
        ({"long": ""}, 400, "lat 和 long 须同时提供。(lat and long go together)"),
        (
            {"attribute[request_type]": "pothole"},
            400,
            "attribute[request_type] 须为 consult、help、complaint、report、suggestion、"
            "praise、other 之一。(invalid attribute[request_type])",
        ),
        (
            {"jurisdiction_id": "city.gov"},
            404,
            "没有找到街乡镇“city.gov”,或您不在其接诉岗位上。(jurisdiction_id not found)",
        ),
    ],
)
def test_refused_posts_change_nothing(client, spec_post, change, status, description):
    response = client.post(f"{BASE}/requests.json", dict(spec_post, **change))
    assert errors(response, status) == [description]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("service_code", ""),
        ("description", "  "),
        ("description", "长" * 4001),
        ("lat", "91"),
        ("lat", "nan"),
        ("long", "east"),
        ("phone", "1" * 31),
        ("media_url", "not a url"),
    ],
)
def test_invalid_fields_are_named_in_the_error(client, spec_post, field, value):
    """The message itself is Django's translation, in Chinese."""
    response = client.post(f"{BASE}/requests.json", dict(spec_post, **{field: value}))
    [description] = errors(response, 400)
    assert description.startswith(f"{field}:")
    assert description.endswith(f"(invalid {field})")
    assert Case.objects.count() == 0


def test_several_errors_at_once(client, spec_post):
    post = dict(spec_post, description="", email="not-an-email")
    found = errors(client.post(f"{BASE}/requests.json", post), 400)
    assert [d.split(":")[0] for d in found] == ["description", "email"]


@pytest.mark.parametrize("username", ["shequ", "shuju", "shenhe", "ducha", "admin"])
def test_only_the_desk_may_post(client, spec_post, key, username):
    response = client.post(f"{BASE}/requests.json", dict(spec_post, api_key=key(username)))
    assert errors(response, 403) == [
        "该 api_key 的用户不是街乡镇或区的组长、坐席员,不能提交诉求。(api_key not allowed)"
    ]
    assert Case.objects.count() == 0


def test_a_district_desk_names_the_street(client, spec_post, people, org):
    user = people["ducha"]
    Membership.objects.create(user=user, unit=org["district"], role=Role.OPERATOR)
    post = dict(spec_post, api_key=ApiToken.issue(user))
    del post["jurisdiction_id"]

    assert errors(client.post(f"{BASE}/requests.json", post), 400) == [
        "该 api_key 可为多个街乡镇接收诉求,请用 jurisdiction_id 指明(街乡镇的区划代码)。"
        "(jurisdiction_id not provided)"
    ]
    assert (
        client.post(f"{BASE}/requests.json", dict(post, jurisdiction_id="110114010")).status_code
        == 200
    )
    other = str(org["other_street"].pk)
    assert (
        client.post(f"{BASE}/requests.json", dict(post, jurisdiction_id=other)).status_code == 200
    )
    assert list(Case.objects.order_by("pk").values_list("street__name", "district__name")) == [
        ("霍营街道", "昌平区"),
        ("回龙观街道", "昌平区"),
    ]


# --- api_key -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("api_key", "description"),
    [
        (None, "缺少 api_key,无法继续。(missing api_key)"),
        ("js_not-a-token", "api_key 无效,无法继续。(invalid api_key)"),
    ],
)
def test_requests_need_a_valid_api_key(client, spec_post, make_case, fmt, api_key, description):
    case = make_case()
    post = dict(spec_post, api_key=api_key) if api_key else dict(spec_post, api_key="")
    query = {"api_key": api_key} if api_key else {}
    for response in (
        client.post(f"{BASE}/requests.{fmt}", post),
        client.get(f"{BASE}/requests.{fmt}", query),
        client.get(f"{BASE}/requests/{case.pk}.{fmt}", query),
    ):
        assert response.status_code == 403
        if fmt == "json":
            assert response.json() == [{"code": 403, "description": description}]
        else:
            assert rows(xml_of(response)) == [{"code": "403", "description": description}]
    assert Case.objects.count() == 1


def test_a_deactivated_user_s_key_is_invalid(client, key, people):
    raw = key("zuoxi")
    people["zuoxi"].is_active = False
    people["zuoxi"].save()
    assert errors(client.get(f"{BASE}/requests.json", {"api_key": raw}), 403) == [
        "api_key 无效,无法继续。(invalid api_key)"
    ]


def test_the_bearer_header_keeps_the_key_out_of_the_url(client, key, make_case):
    make_case(received_at=timezone.now())
    response = client.get(f"{BASE}/requests.json", HTTP_AUTHORIZATION=f"Bearer {key('zuoxi')}")
    assert len(response.json()) == 1


# --- GET requests ------------------------------------------------------------------


def in_every_state(make_case, people, org) -> dict[str, Case]:
    """One case per state, and one the desk closed itself, all received in March 2026."""
    desk, unit, leader = people["zuoxi"], people["shequ"], people["zuzhang"]

    def signed():
        case = make_case()
        workflow.sign(case, by=desk, at=at("2026-03-02 09:10"))
        return case

    def dispatched():
        case = signed()
        workflow.dispatch(case, by=desk, lead_unit=org["hly"], at=at("2026-03-02 09:40"))
        return case

    def replied():
        case = dispatched()
        workflow.reply(
            case,
            by=unit,
            contact_at=at("2026-03-02 10:00"),
            contact_way="电话",
            facts="属实",
            actions="已劝离商贩",
            result="已解决",
            citizen_response="满意",
            at=at("2026-03-03 10:00"),
        )
        return case

    cases = {"received": make_case(), "accepted": signed()}
    cases["returned"] = make_case()
    workflow.return_case(
        cases["returned"], by=desk, reason="属于公安职责", at=at("2026-03-02 10:00")
    )
    cases["dispatched"] = dispatched()
    cases["replied"] = replied()
    cases["closed"] = replied()
    workflow.approve(cases["closed"], by=people["shenhe"], at=at("2026-03-04 10:00"))
    cases["closed_by_desk"] = signed()
    workflow.close(cases["closed_by_desk"], by=desk, answer="已电话答复", at=at("2026-03-02 11:00"))
    cases["shelved"] = dispatched()
    workflow.shelve(cases["shelved"], by=leader, reason="需协调多个部门", at=at("2026-03-05 10:00"))
    return cases


def test_status_for_every_jiesu_state(client, key, make_case, people, org):
    cases = in_every_state(make_case, people, org)
    assert {c.state for c in cases.values()} == set(State)

    body = client.get(f"{BASE}/requests.json", dict(MARCH, api_key=key("zuoxi"))).json()
    by_name = {name: case.pk for name, case in cases.items()}
    got = {item["service_request_id"]: (item["status"], item["status_notes"]) for item in body}
    assert {name: got[str(pk)] for name, pk in by_name.items()} == {
        "received": ("open", "待签收 (open)"),
        "accepted": ("open", "已签收(待派单) (open)"),
        "returned": ("closed", "已退回 (not_councils_responsibility)"),
        "dispatched": ("open", "办理中 (in_progress)"),
        "replied": ("open", "待审核 (in_progress)"),
        "closed": ("closed", "已办结 (fixed)"),
        "closed_by_desk": ("closed", "已办结 (closed)"),
        "shelved": ("open", "挂账 (in_progress)"),
    }

    def ids(**query):
        found = client.get(f"{BASE}/requests.json", dict(MARCH, api_key=key("zuoxi"), **query))
        return {int(item["service_request_id"]) for item in found.json()}

    closed = {cases[n].pk for n in ("returned", "closed", "closed_by_desk")}
    assert ids(status="closed") == closed
    assert ids(status="open") == set(by_name.values()) - closed
    assert ids(status="open,closed") == set(by_name.values())
    assert errors(
        client.get(f"{BASE}/requests.json", {"status": "pending", "api_key": key("zuoxi")}), 400
    ) == ["status 只能为 open 或 closed。(invalid status)"]


def test_a_request_in_full_and_the_same_in_xml(client, key, dispatched, categories, people):
    Case.objects.filter(pk=dispatched.pk).update(category=categories["stalls"])
    dispatched.refresh_from_db()
    raw = key("zuoxi")

    body = client.get(f"{BASE}/requests/{dispatched.pk}.json", {"api_key": raw}).json()
    assert body == [
        {
            "service_request_id": str(dispatched.pk),
            "status": "open",
            "status_notes": "办理中 (in_progress)",
            "service_name": "占道经营",
            "service_code": str(categories["stalls"].pk),
            "description": "华龙苑南里东门每天晚上有商贩占道经营,噪音大,垃圾多。",
            "agency_responsible": "华龙苑南里社区",
            "service_notice": f"工单编号 {dispatched.platform_no},办结时限 2026-03-09 09:00。",
            "requested_datetime": "2026-03-02T09:00:00+08:00",
            "updated_datetime": timezone.localtime(dispatched.updated_at).isoformat(
                timespec="seconds"
            ),
            "expected_datetime": "2026-03-09T09:00:00+08:00",
            "address": "华龙苑南里****",
            "address_id": None,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
    ]
    root = xml_of(client.get(f"{BASE}/requests/{dispatched.pk}.xml", {"api_key": raw}))
    assert root.tag == "service_requests"
    assert [item.tag for item in root] == ["request"]
    assert rows(root) == as_xml_text(body)
    assert client.get(f"{BASE}/requests/{dispatched.pk}", {"api_key": raw}).json() == body

    listed = client.get(f"{BASE}/requests.json", dict(MARCH, api_key=raw)).json()
    assert listed == body
    assert rows(xml_of(client.get(f"{BASE}/requests.xml", dict(MARCH, api_key=raw)))) == (
        as_xml_text(body)
    )


def test_a_received_case_is_the_street_s_and_a_closed_one_dated_by_its_closing(
    client, key, make_case, people, org
):
    cases = in_every_state(make_case, people, org)
    body = client.get(f"{BASE}/requests.json", dict(MARCH, api_key=key("zuoxi"))).json()
    got = {item["service_request_id"]: item for item in body}
    received = got[str(cases["received"].pk)]
    assert received["agency_responsible"] == "霍营街道"
    closed = got[str(cases["closed"].pk)]
    assert closed["updated_datetime"] == "2026-03-04T10:00:00+08:00"
    assert closed["service_notice"] == f"工单编号 {cases['closed'].platform_no}。"
    assert got[str(cases["returned"].pk)]["updated_datetime"] == "2026-03-02T10:00:00+08:00"


def test_personal_data_never_leaves(client, key, spec_post, make_case):
    make_case(received_at=timezone.now(), caller_account="zhangsan-2026")
    assert client.post(f"{BASE}/requests.json", spec_post).status_code == 200
    raw = key("zuoxi")

    as_json = client.get(f"{BASE}/requests.json", {"api_key": raw})
    as_xml = client.get(f"{BASE}/requests.xml", {"api_key": raw})
    for text in (as_json.content.decode(), as_xml.content.decode()):
        for secret in ("张三", "13812341234", "zhangsan", "12号楼", "40.0712345", "116.3301234"):
            assert secret not in text
    posted = [item for item in as_json.json() if item["lat"] is not None]
    assert [(p["address"], p["lat"], p["long"]) for p in posted] == [
        ("华龙苑南里****", 40.071, 116.33)
    ]
    assert "caller" not in as_json.content.decode()


def test_dates_default_to_the_last_90_days(client, key, make_case):
    now = timezone.now()
    recent = make_case(received_at=now - dt.timedelta(days=1))
    old = make_case(received_at=now - dt.timedelta(days=100))
    raw = key("zuoxi")

    def ids(**query):
        found = client.get(f"{BASE}/requests.json", dict(api_key=raw, **query)).json()
        return [int(item["service_request_id"]) for item in found]

    assert ids() == [recent.pk]
    end = (now - dt.timedelta(days=50)).isoformat()
    assert ids(end_date=end) == [old.pk]
    assert ids(start_date=(now - dt.timedelta(days=101)).isoformat()) == [old.pk]
    # service_request_id overrides every other argument
    assert ids(service_request_id=f"{old.pk},{recent.pk}", status="closed") == [recent.pk, old.pk]


def test_date_errors(client, key, db):
    raw = key("zuoxi")

    def get(**query):
        return client.get(f"{BASE}/requests.json", dict(api_key=raw, **query))

    assert errors(get(start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"), 400) == [
        "查询时间跨度不能超过 90 天。(date range over 90 days)"
    ]
    assert errors(get(start_date="2026-03-02T00:00:00Z", end_date="2026-03-01T00:00:00Z"), 400) == [
        "end_date 不能早于 start_date。(invalid date range)"
    ]
    assert errors(get(start_date="yesterday"), 400) == [
        "start_date 须为 W3C 日期时间,如 2026-03-01T00:00:00+08:00。(invalid start_date)"
    ]
    assert errors(get(service_request_id="1,x"), 400) == [
        "service_request_id 须为以逗号分隔的数字。(invalid service_request_id)"
    ]


def test_an_unencoded_plus_in_a_date_still_reads(client, key, make_case):
    case = make_case()
    query = "start_date=2026-03-02T08:00:00+08:00&end_date=2026-03-02T10:00:00+08:00"
    found = client.get(f"{BASE}/requests.json?{query}&api_key={key('zuoxi')}").json()
    assert [item["service_request_id"] for item in found] == [str(case.pk)]


def test_service_code_covers_sub_categories(client, key, make_case, categories):
    stalls = make_case(category=categories["stalls"])
    garbage = make_case(category=categories["garbage"])
    make_case()
    raw = key("zuoxi")

    def ids(code):
        found = client.get(f"{BASE}/requests.json", dict(MARCH, api_key=raw, service_code=code))
        return {int(item["service_request_id"]) for item in found.json()}

    assert ids(str(categories["mid"].pk)) == {stalls.pk, garbage.pk}
    assert ids(f"{categories['stalls'].pk}") == {stalls.pk}
    assert ids(f"{categories['stalls'].pk},{categories['garbage'].pk}") == {stalls.pk, garbage.pk}
    assert ids("99999") == set()


def test_only_visible_cases_are_listed(client, key, dispatched):
    outsider = key("outsider")
    assert client.get(f"{BASE}/requests.json", dict(MARCH, api_key=outsider)).json() == []
    response = client.get(f"{BASE}/requests/{dispatched.pk}.json", {"api_key": outsider})
    assert errors(response, 404) == [
        f"没有找到编号为“{dispatched.pk}”的诉求,或您无权查看。(service_request_id not found)"
    ]
    # the community the case was dispatched to sees it
    shequ = key("shequ")
    found = client.get(f"{BASE}/requests/{dispatched.pk}.json", {"api_key": shequ}).json()
    assert [item["service_request_id"] for item in found] == [str(dispatched.pk)]


def test_at_most_max_requests_newest_first(client, key, make_case, monkeypatch):
    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)
    make_case(received_at=at("2026-03-02 09:00"))
    second = make_case(received_at=at("2026-03-03 09:00"))
    third = make_case(received_at=at("2026-03-04 09:00"))
    found = client.get(f"{BASE}/requests.json", dict(MARCH, api_key=key("zuoxi"))).json()
    assert [item["service_request_id"] for item in found] == [str(third.pk), str(second.pk)]


def test_xml_escapes_markup_and_drops_what_xml_cannot_carry(client, key, make_case):
    content = '<b>占道 & "噪音"</b>\x01 ]]> 结束'
    case = make_case(content=content)
    raw = key("zuoxi")
    root = xml_of(client.get(f"{BASE}/requests/{case.pk}.xml", {"api_key": raw}))
    assert root.findtext("request/description") == '<b>占道 & "噪音"</b> ]]> 结束'
    body = client.get(f"{BASE}/requests/{case.pk}.json", {"api_key": raw}).json()
    assert body[0]["description"] == content
