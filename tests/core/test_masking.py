import pytest

from jiesu.cases import services
from jiesu.cases.errors import RoleRefused
from jiesu.core.masking import mask_account, mask_address, mask_name, mask_phone
from jiesu.core.models import PiiAccess


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", "")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812341234", "138****1234"), ("010-62345678", "010****5678"), ("12345", "***45"), ("", "")],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_address_and_account():
    assert mask_address("华龙苑南里12号楼3单元502") == "华龙苑南里****"
    assert mask_account("wx_zhangsan88") == "wx****88"


def test_reveal_is_logged_and_limited_to_roles(people, dispatched):
    assert services.reveal(dispatched, by=people["zuoxi"], field="caller_phone") == "13812341234"
    assert services.reveal(dispatched, by=people["shequ"], field="caller_name") == "张三"
    rows = list(PiiAccess.objects.values_list("user__username", "case_id", "field"))
    assert sorted(rows) == [
        ("shequ", dispatched.pk, "caller_name"),
        ("zuoxi", dispatched.pk, "caller_phone"),
    ]
    for username in ["shenhe", "shuju", "ducha", "admin", "keshi"]:
        with pytest.raises(RoleRefused):
            services.reveal(dispatched, by=people[username], field="caller_phone")
    assert PiiAccess.objects.count() == 2


def test_the_reveal_log_cannot_be_erased_in_the_admin(client, people, dispatched):
    """The per-person reveal counts and alerts read this log: nobody may thin it out."""
    from django.contrib.auth.models import User

    from jiesu.org.models import Membership, Role

    services.reveal(dispatched, by=people["zuoxi"], field="caller_phone")
    row = PiiAccess.objects.get()
    root = User.objects.create_superuser("root", password="pw-root-Long1!")
    # the admin lists the reveals of the cases its reader reaches (org.access)
    Membership.objects.create(user=root, unit=dispatched.district, role=Role.ADMIN)
    client.force_login(root)
    page = client.get(f"/admin/core/piiaccess/{row.pk}/change/")
    assert page.status_code == 200 and "删除" not in page.content.decode()
    assert (
        client.post(f"/admin/core/piiaccess/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert PiiAccess.objects.filter(pk=row.pk).exists()
