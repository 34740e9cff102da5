"""Password rules with Chinese messages, password age and the forced change."""

import datetime as dt

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiesu.core.models import PasswordState
from jiesu.core.passwords import character_classes

GOOD = "Qiu-Yue#2026x"


def change(client, user, new, old=None):
    return client.post(
        "/account/password/",
        {
            "old_password": old or f"pw-{user.username}",
            "new_password1": new,
            "new_password2": new,
        },
    )


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab1!xyz", "密码太短:至少需要 8 个字符。"),
        ("abcdefgh1", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        ("QWERTYUI-", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        ("Zuoxi#2026", "密码不能包含用户名。"),
        ("Password1", "这个密码太常见,容易被猜中,请换一个。"),
    ],
)
def test_each_rule_refuses_with_its_chinese_message(client, people, password, message):
    user = people["zuoxi"]
    client.force_login(user)
    response = change(client, user, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-zuoxi")


def test_similar_to_the_name_is_refused(people):
    user = people["zuoxi"]
    user.first_name, user.email = "wangxiaoming", "wangxiaoming@example.org"
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("Wangxiaoming1", user)
    assert "密码与用户名或姓名太相似,请换一个。" in refused.value.messages


def test_character_classes():
    assert character_classes("abc") == 1
    assert character_classes("aB3") == 3
    assert character_classes("aB3-") == 4
    assert character_classes("密码Ab") == 3  # a Chinese character counts as a symbol


def test_a_good_password_is_accepted_and_works(client, people):
    user = people["zuoxi"]
    client.force_login(user)
    response = change(client, user, GOOD)
    assert response.status_code == 302 and response.url == "/cases/"
    user.refresh_from_db()
    assert user.check_password(GOOD)
    state = PasswordState.objects.get(user=user)
    assert timezone.now() - state.changed_at < dt.timedelta(seconds=10)
    assert client.get("/cases/").status_code == 200  # the session survives its own change
    client.post("/logout/")
    assert client.post("/login/", {"username": "zuoxi", "password": GOOD}).status_code == 302


def test_wrong_old_password_is_refused(client, people):
    user = people["zuoxi"]
    client.force_login(user)
    response = change(client, user, GOOD, old="not-it")
    assert "你的旧密码不正确" in response.content.decode()


def test_the_page_lists_the_rules_and_the_header_links_it(client, people):
    client.force_login(people["zuoxi"])
    page = client.get("/account/password/").content.decode()
    assert "至少 8 个字符" in page and "至少 3 类" in page and "每 90 天" in page
    assert 'href="/account/password/"' in client.get("/cases/").content.decode()


# --- expiry -------------------------------------------------------------------------------


def age(user, days, must_change=False):
    PasswordState.objects.update_or_create(
        user=user,
        defaults={
            "changed_at": timezone.now() - dt.timedelta(days=days),
            "must_change": must_change,
        },
    )


def test_new_users_are_not_expired(client, people):
    assert not PasswordState.objects.filter(user=people["zuoxi"]).exists()  # counts from joining
    client.force_login(people["zuoxi"])
    assert client.get("/cases/").status_code == 200


def test_an_expired_password_leads_only_to_the_change_page(client, people):
    user = people["zuoxi"]
    age(user, 91)
    client.force_login(user)
    response = client.get("/cases/")
    assert response.status_code == 302 and response.url == "/account/password/"
    assert "您的密码已过期或须修改" in client.get("/account/password/").content.decode()
    poll = client.get("/queues/counts/", HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == "/account/password/"
    api = client.get("/api/v1/cases")
    assert api.status_code == 403 and api.json()["error"]["code"] == "password_expired"
    assert client.get("/admin/").status_code == 302

    assert change(client, user, GOOD).status_code == 302
    assert client.get("/cases/").status_code == 200
    assert "您的密码已过期" not in client.get("/account/password/").content.decode()


def test_the_administrator_can_demand_a_change(client, people):
    user = people["zuoxi"]
    age(user, 1, must_change=True)
    client.force_login(user)
    assert client.get("/cases/").url == "/account/password/"
    change(client, user, GOOD)
    assert not PasswordState.objects.get(user=user).must_change
    assert client.get("/cases/").status_code == 200


def test_without_a_row_the_age_counts_from_joining(client, people):
    user = people["zuoxi"]
    PasswordState.objects.filter(user=user).delete()
    user.date_joined = timezone.now() - dt.timedelta(days=100)
    user.save(update_fields=["date_joined"])
    client.force_login(user)
    assert client.get("/cases/").url == "/account/password/"


def test_age_is_a_setting_and_zero_means_never(client, people, settings):
    user = people["zuoxi"]
    age(user, 40)
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
    settings.JIESU_PASSWORD_MAX_AGE_DAYS = 30
    assert client.get("/cases/").url == "/account/password/"
    settings.JIESU_PASSWORD_MAX_AGE_DAYS = 0
    age(user, 4000)
    assert client.get("/cases/").status_code == 200


def test_logout_stays_open_with_an_expired_password(client, people):
    user = people["zuoxi"]
    age(user, 91)
    client.force_login(user)
    assert client.post("/logout/").url == "/login/"
    assert client.get("/cases/").url.startswith("/login/")


def test_any_saved_new_password_restarts_the_age(people):
    user = people["zuoxi"]
    age(user, 80, must_change=True)
    user.set_password(GOOD)  # as the administrator does in the admin
    user.save()
    state = PasswordState.objects.get(user=user)
    assert timezone.now() - state.changed_at < dt.timedelta(seconds=10)
    assert state.must_change  # the mark stays until the user picks their own


def test_administrator_marks_a_user_in_the_admin(client, people):
    from django.contrib.auth.models import User

    user = people["zuoxi"]
    age(user, 1)
    client.force_login(User.objects.create_superuser("boss", password="pw-boss"))
    page = client.get("/admin/core/passwordstate/").content.decode()
    assert "密码状态" in page and "zuoxi" in page
    response = client.post(
        "/admin/core/passwordstate/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-user": str(user.pk),
            "form-0-must_change": "on",
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    assert PasswordState.objects.get(user=user).must_change
