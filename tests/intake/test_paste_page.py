"""The 粘贴录入 page: paste, check the pre-filled form, save one case through receive."""

import pytest

from jiesu.cases.models import Case, CaseEvent, Platform
from jiesu.intake.paste_views import possible_duplicates
from tests.conftest import at

URL = "/intake/paste/"

TEXT = """工单编号:2026030212345
来电时间:2026-03-02 09:15
来电人:王女士
联系电话:13812345678
诉求类型:投诉
紧急程度:一般
问题分类:城乡建设->市容环卫->占道经营
被反映区:昌平区
被反映街乡镇:霍营街道
村/社区:华龙苑南里
详细地址:华龙苑南里东门外
诉求内容:华龙苑南里东门外每天晚上有商贩占道经营,噪音很大,垃圾遍地,希望尽快处理。
办理时限:7天
"""


def parse_page(client, text=TEXT, platform="city"):
    return client.post(URL, {"step": "parse", "text": text, "platform": platform})


def save_data(**overrides):
    data = {
        "step": "save",
        "text": TEXT,
        "platform": "city",
        "platform_no": "2026030212345",
        "received_at": "2026-03-02T09:15",
        "request_type": "complaint",
        "urgency": "ordinary",
        "channel": "phone",
        "category": "",
        "community": "",
        "title": "华龙苑南里东门外每天晚上有商贩占道经营,噪音很大。",
        "content": "华龙苑南里东门外每天晚上有商贩占道经营,噪音很大。",
        "caller_name": "王女士",
        "caller_phone": "13812341234",
        "address": "华龙苑南里东门外",
        "company_name": "",
        "limit_days": "7",
        "limit_hours": "",
        "platform_due_at": "",
    }
    return data | overrides


def test_parse_fills_the_form(client, people, org, categories):
    client.force_login(people["zuoxi"])
    response = parse_page(client)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "platform_no": "2026030212345",
        "received_at": at("2026-03-02 09:15"),
        "request_type": "complaint",
        "urgency": "ordinary",
        "title": "华龙苑南里东门外每天晚上有商贩占道经营,噪音很大",
        "content": "华龙苑南里东门外每天晚上有商贩占道经营,噪音很大,垃圾遍地,希望尽快处理。",
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "address": "华龙苑南里东门外",
        "limit_days": 7,
        "street": org["street"].pk,
        "category": categories["stalls"].pk,
        "community": org["hly"].pk,
        "text": TEXT,
        "platform": "city",
    }
    assert "street" not in form.fields  # one street: taken from the grant
    page = response.content.decode()
    assert 'value="2026-03-02T09:15"' in page
    assert "没有找到标题,已取诉求内容的前25个字作为标题,请核对。" in page
    assert 'data-action="save"' in page


def test_unknown_category_and_community_are_left_empty_with_a_warning(client, people, categories):
    client.force_login(people["zuoxi"])
    text = TEXT.replace("占道经营", "违规广告").replace("华龙苑南里\n", "龙跃苑\n")
    response = parse_page(client, text)
    initial = response.context["form"].initial
    assert initial["category"] is None and initial["community"] is None
    notes = response.context["notes"]
    assert "问题分类“城乡建设->市容环卫->违规广告”在系统中没有找到,请手工选择。" in notes
    assert "村/社区“龙跃苑”不在霍营街道的社区/村中,请手工选择。" in notes


def test_category_by_last_level_name_says_so(client, people, categories):
    client.force_login(people["zuoxi"])
    response = parse_page(client, TEXT.replace("城乡建设->市容环卫->占道经营", "市容->占道经营"))
    assert response.context["form"].initial["category"] == categories["stalls"].pk
    assert (
        "问题分类“市容->占道经营”在系统中没有,已按末级“占道经营”填写,请核对。"
        in (response.context["notes"])
    )


def test_save_creates_one_case_with_a_receive_event(client, people, org, categories):
    client.force_login(people["zuoxi"])
    data = save_data(category=categories["stalls"].pk, community=org["xyy"].pk)
    response = client.post(URL, data)
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    assert (case.platform, case.platform_no) == (Platform.CITY, "2026030212345")
    assert case.received_at == at("2026-03-02 09:15")
    assert (case.district, case.street, case.community) == (
        org["district"],
        org["street"],
        org["xyy"],
    )
    assert case.category == categories["stalls"]
    assert (case.caller_name, case.caller_phone) == ("王女士", "13812341234")
    assert case.limit_days == 7 and case.due_at == at("2026-03-09 09:15")
    assert case.state == "received"
    events = list(CaseEvent.objects.filter(case=case))
    assert [(e.action, e.actor) for e in events] == [("receive", people["zuoxi"])]
    page = client.get(response.url).content.decode()
    assert "已录入工单 2026030212345。" in page


def test_duplicate_number_is_refused_next_to_the_field_with_a_link(client, people, make_case):
    existing = make_case(platform=Platform.CITY, platform_no="2026030212345")
    client.force_login(people["zuzhang"])
    response = client.post(URL, save_data())
    assert response.status_code == 422
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    form = response.context["form"]
    assert form.errors["platform_no"] == ["市级工单编号“2026030212345”已存在,请勿重复录入。"]
    page = response.content.decode()
    assert f'data-existing-case="{existing.pk}"' in page
    assert f'href="/cases/{existing.pk}/"' in page


def test_invalid_form_saves_nothing(client, people):
    client.force_login(people["zuoxi"])
    response = client.post(URL, save_data(platform="", limit_hours="24"))
    assert response.status_code == 422
    assert Case.objects.count() == 0
    form = response.context["form"]
    assert "platform" in form.errors
    assert form.non_field_errors() == ["办理时限(天)、办理时限(小时)、平台截止时间只填一项。"]


def test_community_of_another_street_is_refused(client, people, org):
    client.force_login(people["zuoxi"])
    response = client.post(URL, save_data(community=org["elsewhere"].pk))
    assert response.status_code == 422 and Case.objects.count() == 0
    assert "community" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["shequ", "keshi", "shenhe", "ducha", "admin"])
def test_only_the_street_desk_may_paste(client, people, persona):
    client.force_login(people[persona])
    assert client.get(URL).status_code == 403
    assert client.post(URL, save_data()).status_code == 403
    assert Case.objects.count() == 0


def test_login_required(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_empty_paste_asks_for_text(client, people):
    client.force_login(people["zuoxi"])
    response = client.post(URL, {"step": "parse", "text": "  ", "platform": ""})
    assert "请先粘贴工单文本。" in response.content.decode()
    assert 'data-action="save"' not in response.content.decode()


def test_possible_duplicate_from_the_other_platform(client, people, make_case):
    same = make_case(
        platform=Platform.DISTRICT,
        caller_phone="13812345678",
        received_at=at("2026-02-27 16:00"),
    )
    make_case(platform=Platform.CITY, caller_phone="13812345678")  # same platform
    make_case(
        platform=Platform.DISTRICT,
        caller_phone="13812345678",
        received_at=at("2026-02-20 09:00"),  # 10 days before
    )
    make_case(platform=Platform.DISTRICT, caller_phone="13900000000")
    client.force_login(people["zuoxi"])
    page = parse_page(client).content.decode()
    assert page.count("data-possible-duplicate") == 1
    assert f'data-possible-duplicate="{same.pk}"' in page and "可能重复" in page
    assert f'href="/cases/{same.pk}/"' in page


def test_possible_duplicates_go_through_visibility(people, org, make_case):
    theirs = make_case(
        platform=Platform.DISTRICT, street=org["other_street"], community=org["elsewhere"]
    )
    found = possible_duplicates(
        people["zuoxi"],
        platform=Platform.CITY,
        caller_phone=theirs.caller_phone,
        received_at=theirs.received_at,
    )
    assert list(found) == []
    found = possible_duplicates(
        people["outsider"],
        platform=Platform.CITY,
        caller_phone=theirs.caller_phone,
        received_at=theirs.received_at,
    )
    assert list(found) == [theirs]


def test_a_number_already_entered_shows_before_saving(client, people, make_case):
    existing = make_case(platform=Platform.CITY, platform_no="2026030212345")
    client.force_login(people["zuoxi"])
    page = parse_page(client).content.decode()
    assert f'data-existing-case="{existing.pk}"' in page
    page = parse_page(client, platform="district").content.decode()
    assert "data-existing-case" not in page


def test_a_desk_on_two_streets_chooses_the_street(client, people, org):
    from jiesu.org.models import Membership, Role

    Membership.objects.create(user=people["zuoxi"], unit=org["other_street"], role=Role.OPERATOR)
    client.force_login(people["zuoxi"])
    response = parse_page(client)
    assert response.context["form"].initial["street"] == org["street"].pk
    response = client.post(URL, save_data())
    assert response.status_code == 422 and "street" in response.context["form"].errors
    response = client.post(URL, save_data(street=org["other_street"].pk, community=org["hly"].pk))
    assert response.status_code == 422 and "community" in response.context["form"].errors
    response = client.post(URL, save_data(street=org["other_street"].pk))
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.district, case.street) == (org["district"], org["other_street"])
