"""通知设置: each person sets their channels, kinds, quiet hours and addresses; errors in
Chinese; what they set decides what is sent."""

import datetime as dt

import pytest

from jiesu.supervision.models import Delivery, Kind, Preference
from jiesu.supervision.notify import notify
from tests.conftest import at

URL = "/notifications/preferences/"


@pytest.fixture
def gateways(settings):
    settings.JIESU_SMS_URL = "http://127.0.0.1:9/sms"  # never called here
    settings.JIESU_WEBHOOK_URL = ""


def _post(client, **values):
    data = {
        "channels": ["email"],
        "kinds": list(Kind.values),
        "email": "shequ@example.org",
        "mobile": "",
        "quiet_from": "",
        "quiet_to": "",
    }
    data.update(values)
    return client.post(URL, data)


def test_the_page_shows_the_defaults_and_is_linked(client, people, gateways):
    client.force_login(people["shequ"])
    assert URL in client.get("/notifications/").content.decode()
    page = client.get(URL).content.decode()
    assert "通知设置" in page and "免打扰时段" in page and "还没有站外通知。" in page
    # no preference yet: e-mail on, every kind on
    assert 'name="channels" value="email" id="id_channels_0" checked' in page
    assert 'value="sms" id="id_channels_1" checked' not in page
    assert page.count('name="kinds"') == len(Kind.values)
    assert page.count("checked") == 1 + len(Kind.values)
    assert "企业微信群机器人尚未配置" in page


def test_saving_preferences(client, people, gateways):
    shequ = people["shequ"]
    client.force_login(shequ)
    reply = _post(
        client,
        channels=["email", "sms"],
        kinds=["urge", "overdue"],
        mobile="138 1234-5678",
        quiet_from="22:00",
        quiet_to="07:00",
    )
    assert reply.status_code == 302 and reply["Location"] == URL
    pref = Preference.objects.get(user=shequ)
    assert (pref.email_on, pref.sms_on, pref.webhook_on) == (True, True, False)
    assert pref.kinds_off == [k for k in Kind.values if k not in ("urge", "overdue")]
    assert pref.kinds_off[:2] == ["due_soon", "digest"]
    assert pref.mobile == "13812345678"
    assert (pref.quiet_from, pref.quiet_to) == (dt.time(22), dt.time(7))
    shequ.refresh_from_db()
    assert shequ.email == "shequ@example.org"
    assert "通知设置已保存。" in client.get(URL).content.decode()

    # what was set decides what is planned: a 催办 by e-mail and SMS, held to 07:00
    notify("urge", [shequ], text="【自动催办】一", key="u", at=at("2026-03-02 23:00"))
    notify("due_soon", [shequ], text="【临期提醒】二", key="s", at=at("2026-03-02 23:00"))
    rows = Delivery.objects.filter(notification__key="u")
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "sms"]
    assert {d.next_try_at for d in rows} == {at("2026-03-03 07:00")}
    assert not Delivery.objects.filter(notification__key="s").exists()
    # and the page lists them
    page = client.get(URL).content.decode()
    assert page.count("data-delivery=") == 2 and "待发送" in page

    # saved again: the row is changed, not doubled
    _post(client, channels=[], kinds=[])
    assert Preference.objects.count() == 1
    pref.refresh_from_db()
    assert pref.channels() == [] and pref.kinds_off == list(Kind.values)


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        ({"channels": ["sms"], "mobile": ""}, "mobile", "选择了短信,请填写手机号。"),
        ({"mobile": "12345"}, "mobile", "手机号应为 11 位数字,如 13812345678。"),
        ({"email": ""}, "email", "选择了电子邮件,请填写电子邮箱。"),
        ({"email": "shequ@"}, "email", "电子邮箱格式不对。"),
        ({"quiet_from": "22:00"}, "quiet_to", "免打扰时段须同时填写开始和结束时间,或都不填。"),
        ({"quiet_from": "8点", "quiet_to": "09:00"}, "quiet_from", "时间格式应如 22:00。"),
        (
            {"quiet_from": "09:00", "quiet_to": "09:00"},
            "quiet_to",
            "免打扰的开始和结束时间不能相同。",
        ),
        (
            {"channels": ["webhook"]},
            "channels",
            "本单位尚未配置企业微信群机器人,暂不能选择群消息。",
        ),
    ],
)
def test_errors_are_shown_in_chinese_and_nothing_is_saved(
    client, people, gateways, values, field, error
):
    client.force_login(people["shequ"])
    reply = _post(client, **values)
    assert reply.status_code == 200
    assert reply.context["form"].errors[field] == [error]
    assert error in reply.content.decode()
    assert not Preference.objects.exists()


def test_each_person_sees_their_own_sends_only(client, people, gateways):
    for who in ("shequ", "keshi"):
        people[who].email = f"{who}@example.org"
        people[who].save()
    notify("urge", [people["keshi"]], text="【自动催办】科室的", key="k", at=at("2026-03-02 10:00"))
    client.force_login(people["shequ"])
    page = client.get(URL).content.decode()
    assert "科室的" not in page and "还没有站外通知。" in page
    assert client.get(URL.replace("/notifications", "")).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_the_send_log_is_read_only_in_admin(client, people, gateways):
    from django.contrib.auth.models import User

    people["shequ"].email = "shequ@example.org"
    people["shequ"].save()
    notify("urge", [people["shequ"]], text="【自动催办】一", key="u", at=at("2026-03-02 10:00"))
    d = Delivery.objects.get()
    client.force_login(User.objects.create_superuser("root", password="pw-root-1234"))
    page = client.get("/admin/supervision/delivery/?status__exact=pending").content.decode()
    assert "待发送" in page and "电子邮件" in page
    assert client.get("/admin/supervision/delivery/add/").status_code == 403
    assert (
        client.post(f"/admin/supervision/delivery/{d.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Delivery.objects.filter(pk=d.pk).exists()
