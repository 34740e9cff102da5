"""Column mappings belong to a street: listed, created, deleted and used only there."""

import pytest
from django.contrib.auth.models import User

from jiesu.cases.models import Case
from jiesu.intake.importer import ImportRefused, import_file
from jiesu.intake.models import ColumnMapping
from jiesu.org.models import Membership, Role

HEADER = ["单号", "来电时间", "标题"]
ROW = ["X-1", "2026-03-02 09:00", "路灯不亮"]


@pytest.fixture
def hlg_operator(org):
    """A 坐席员 of 回龙观街道, the other street."""
    user = User.objects.create_user(username="hlg", password="pw-hlg")
    Membership.objects.create(user=user, unit=org["other_street"], role=Role.OPERATOR)
    return user


@pytest.fixture
def huoying_mapping(org):
    return ColumnMapping.objects.create(
        street=org["street"], platform="city", header="单号", field="platform_no"
    )


def test_a_desk_creates_a_mapping_for_its_own_street(client, people, org):
    client.force_login(people["zuoxi"])
    client.post(
        "/intake/import/mappings/", {"platform": "city", "header": "单 号", "field": "platform_no"}
    )
    mapping = ColumnMapping.objects.get()
    assert (mapping.street, mapping.header) == (org["street"], "单号")


def test_another_streets_desk_cannot_see_or_delete_the_mapping(
    client, hlg_operator, huoying_mapping
):
    client.force_login(hlg_operator)
    page = client.get("/intake/import/mappings/").content.decode()
    assert f'data-mapping="{huoying_mapping.pk}"' not in page and "没有自定义映射" in page
    response = client.post(f"/intake/import/mappings/{huoying_mapping.pk}/delete/")
    assert response.status_code == 404
    assert ColumnMapping.objects.filter(pk=huoying_mapping.pk).exists()


def test_the_own_street_may_delete_it(client, people, huoying_mapping):
    client.force_login(people["zuoxi"])
    assert (
        f'data-mapping="{huoying_mapping.pk}"'
        in client.get("/intake/import/mappings/").content.decode()
    )
    client.post(f"/intake/import/mappings/{huoying_mapping.pk}/delete/")
    assert not ColumnMapping.objects.exists()


def test_the_same_header_twice_is_a_clear_refusal(client, people, huoying_mapping):
    client.force_login(people["zuoxi"])
    response = client.post(
        "/intake/import/mappings/", {"platform": "city", "header": "单号", "field": "title"}
    )
    assert response.status_code == 422
    assert "该平台的这个表头已有映射" in response.content.decode()
    assert ColumnMapping.objects.get().field == "platform_no"


def test_each_street_may_map_the_same_header_its_own_way(client, hlg_operator, huoying_mapping):
    client.force_login(hlg_operator)
    client.post(
        "/intake/import/mappings/", {"platform": "city", "header": "单号", "field": "title"}
    )
    assert ColumnMapping.objects.count() == 2


def test_an_import_uses_only_its_streets_mappings(org, people, huoying_mapping, write_xlsx):
    path = write_xlsx([ROW], header=HEADER)
    with pytest.raises(ImportRefused, match="文件缺少必需的列:工单编号"):
        import_file(path, platform="city", street=org["other_street"])
    import_file(path, platform="city", street=org["street"], user=people["zuoxi"])
    assert Case.objects.get().platform_no == "X-1"


def test_a_mapping_saved_for_every_street_applies_to_all(org, write_xlsx):
    """Mappings from before they belonged to a street (several streets: left unassigned)."""
    ColumnMapping.objects.create(street=None, platform="city", header="单号", field="platform_no")
    import_file(write_xlsx([ROW], header=HEADER), platform="city", street=org["other_street"])
    assert Case.objects.get().street == org["other_street"]
