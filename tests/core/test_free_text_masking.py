"""Personal data written into free text is masked like the structured fields, everywhere.

The numbers are worked out by hand:
- 11010519491231002X: the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over the first 17
  digits give 167; 167 mod 11 = 2, and position 2 of "10X98765432" is X: a valid check.
- 6217000000000000004 (19 digits): Luhn from the right, doubling every second digit. Place 1
  is 4, places 2-15 are 0, place 16 is 7 (doubled: 14 → 1+4 = 5), place 17 is 1, place 18 is
  2 (doubled: 4), place 19 is 6: 4 + 5 + 1 + 4 + 6 = 20, divisible by 10: valid.
"""

import io

import pytest
from openpyxl import load_workbook

from jiesu.cases import workflow
from jiesu.core.masking import is_bank_card, is_id_card, mask_text
from jiesu.core.models import PiiAccess
from tests.conftest import at

ID = "11010519491231002X"
CARD = "6217000000000000004"
TEXT = (
    f"来电人说她的手机13987654321打不通,身份证{ID},银行卡{CARD},"
    "物业电话010-62345678,工单20260300000001,欠薪12000元,2026年10月18日。"
)
MASKED = (
    "来电人说她的手机139****4321打不通,身份证110105********002X,银行卡6217***********0004,"
    "物业电话010****5678,工单20260300000001,欠薪12000元,2026年10月18日。"
)


def test_numbers_in_text_masked_by_hand():
    assert mask_text(TEXT) == MASKED


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话+86 139 8765 4321", "电话139****4321"),
        ("分机62345678-802", "分机****5678-802"),
        ("身份证110105194912310021号", "身份证110105194912310021号"),  # wrong check digit
        ("卡号6217000000000000005", "卡号6217000000000000005"),  # fails the Luhn check
        ("编号A13987654321B", "编号A13987654321B"),  # part of a longer code
        ("没有号码的诉求", "没有号码的诉求"),
    ],
)
def test_what_is_and_is_not_a_number_to_hide(text, masked):
    assert mask_text(text) == masked


def test_checks():
    assert is_id_card(ID) and is_id_card(ID.lower())
    assert not is_id_card("110105194912310021")
    assert is_bank_card(CARD) and not is_bank_card("6217000000000000005")


def test_own_data_masked_in_text():
    own = {"caller_name": "张三丰", "caller_phone": "", "caller_account": "", "address": ""}
    assert mask_text("张三丰反映楼道堆物", own) == "张**反映楼道堆物"


@pytest.fixture
def leaky(make_case, people, org):
    case = make_case(title="帮我转告13987654321", content=TEXT, received_at=at("2026-03-02 09:00"))
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    workflow.note(
        case, by=people["zuoxi"], text=f"再次来电,留了卡号{CARD}", at=at("2026-03-02 09:06")
    )
    workflow.dispatch(case, by=people["zuoxi"], lead_unit=org["hly"], at=at("2026-03-02 09:20"))
    workflow.reply(
        case,
        by=people["shequ"],
        contact_at=at("2026-03-02 10:00"),
        contact_way="电话13987654321",
        facts="属实",
        actions=f"已核实身份证{ID}",
        result="已解决",
        citizen_response="满意",
        at=at("2026-03-02 11:00"),
    )
    return case


RAW = ("13987654321", ID, CARD, "62345678")


def _clean(text: str):
    for raw in RAW:
        assert raw not in text, raw


def test_pages_mask_and_reveal_logs(client, people, leaky):
    client.force_login(people["zuoxi"])
    _clean(client.get("/cases/").content.decode())
    _clean(client.get("/cases/?q=转告").content.decode())
    page = client.get(f"/cases/{leaky.pk}/").content.decode()
    _clean(page)
    assert "139****4321" in page and "6217***********0004" in page
    for field in ("title", "content", "reply", "notes"):
        assert f'data-reveal="{field}"' in page

    shown = client.post(f"/cases/{leaky.pk}/reveal/content/").content.decode()
    assert ID in shown and "13987654321" in shown
    reply = client.post(f"/cases/{leaky.pk}/reveal/reply/").content.decode()
    assert f"已核实身份证{ID}" in reply
    notes = client.post(f"/cases/{leaky.pk}/reveal/notes/").content.decode()
    assert f"2026-03-02 09:06 zuoxi 备注:再次来电,留了卡号{CARD}" in notes
    assert sorted(PiiAccess.objects.values_list("field", flat=True)) == [
        "content",
        "notes",
        "reply",
    ]


def test_no_reveal_button_without_anything_hidden(client, people, make_case):
    case = make_case(title="路灯不亮", content="小区东门路灯坏了一周。")
    client.force_login(people["zuoxi"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for field in ("title", "content", "reply", "notes"):
        assert f'data-reveal="{field}"' not in page


def test_reviewer_sees_masked_text_and_may_not_reveal(client, people, leaky):
    client.force_login(people["shenhe"])
    page = client.get(f"/cases/{leaky.pk}/").content.decode()
    _clean(page)
    assert client.post(f"/cases/{leaky.pk}/reveal/content/").status_code == 403


def test_api_masks_text_reply_and_timeline(client, people, leaky):
    client.force_login(people["zuoxi"])
    listing = client.get("/api/v1/cases")
    _clean(listing.content.decode())
    detail = client.get(f"/api/v1/cases/{leaky.pk}")
    assert detail.status_code == 200
    body = detail.json()
    _clean(detail.content.decode())
    assert body["content"] == MASKED
    assert body["reply"]["contact_way"] == "电话139****4321"
    notes = [e for e in body["timeline"] if e["action"] == "note"]
    assert "6217***********0004" in str(notes)
    revealed = client.post(
        f"/api/v1/cases/{leaky.pk}/reveal", {"field": "content"}, content_type="application/json"
    )
    assert revealed.json()["value"] == TEXT


def test_export_masks_text(client, people, leaky):
    client.force_login(people["zuoxi"])
    response = client.post("/cases/bulk/", {"bulk_action": "export", "ids": [leaky.pk]})
    book = load_workbook(io.BytesIO(response.content))
    values = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    _clean(" ".join(values))
    assert MASKED in values


def test_own_address_masked_in_text_only_with_a_door_number():
    home = {"address": "华龙苑南里12号楼3单元502"}
    place = {"address": "华龙苑南里东门外"}
    assert mask_text("住华龙苑南里12号楼3单元502的居民", home) == "住华龙苑南里****的居民"
    assert mask_text("华龙苑南里东门外夜间占道经营", place) == "华龙苑南里东门外夜间占道经营"


# --- places a review found the raw text in ------------------------------------------------


def test_open311_masks_the_description_and_place(client, people, make_case):
    from jiesu.core.models import ApiToken

    case = make_case(content=TEXT, address="", location="张三家后院 13987654321")
    key = ApiToken.issue(people["shuju"])
    response = client.get(f"/open311/v2/requests/{case.pk}.json", {"api_key": key})
    assert response.status_code == 200
    (body,) = response.json()
    _clean(response.content.decode())
    assert body["description"] == mask_text(TEXT, {"caller_name": "张三"})
    assert body["address"] == "张*家后院 139****4321"


def test_api_and_page_mask_the_place_and_company(client, people, make_case):
    case = make_case(location="东门 13987654321", company_name=f"卡号{CARD}的商户")
    client.force_login(people["zuoxi"])
    body = client.get(f"/api/v1/cases/{case.pk}").json()
    assert body["location"] == "东门 139****4321"
    assert body["company_name"] == "卡号6217***********0004的商户"
    _clean(client.get(f"/cases/{case.pk}/").content.decode())


def test_a_case_named_anywhere_is_masked_the_audit_log_included(client, people, make_case):
    from jiesu.audit.models import AuditEvent

    case = make_case(title="张三13987654321反映占道")
    assert str(case) == f"{case.platform_no} 张*139****4321反映占道"
    client.force_login(people["zuoxi"])
    client.post(f"/cases/{case.pk}/reveal/caller_phone/")
    reveal = AuditEvent.objects.get(kind="reveal")
    assert "13987654321" not in reveal.target_repr


def test_the_application_form_masks_the_title(client, people, make_case, org):
    from jiesu.org.models import Membership, Role

    case = make_case(title="帮我转告13987654321")
    tichu = people["shuju"]
    Membership.objects.create(user=tichu, unit=org["street"], role=Role.EXEMPTION)
    client.force_login(tichu)
    page = client.get(f"/assessment/applications/new/{case.pk}/")
    assert page.status_code == 200
    _clean(page.content.decode())
    assert "帮我转告139****4321" in page.content.decode()
