"""等保 身份鉴别: login lockout per account and per address, unlock, session limits."""

import datetime as dt
import time

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from jiesu.core.middleware import SESSION_ACTIVE, SESSION_STARTED


def login(client, username, password, address="127.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return client.get("/cases/").status_code == 200


def fail(client, username, times, address="127.0.0.1"):
    for _ in range(times):
        login(client, username, "wrong-password", address)


def test_five_wrong_passwords_lock_the_account(client, people):
    locked = []

    def record(username, **kwargs):
        locked.append(username)

    user_locked_out.connect(record)
    try:
        for _ in range(4):
            response = login(client, "zuoxi", "wrong-password")
            assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
        response = login(client, "zuoxi", "wrong-password")
        assert response.status_code == 429
        response = login(client, "zuoxi", "pw-zuoxi")
    finally:
        user_locked_out.disconnect(record)
    page = response.content.decode()
    assert response.status_code == 429
    assert "该账号已暂时锁定" in page and "后再试" in page
    until = timezone.localtime() + dt.timedelta(minutes=30)
    assert f"{until:%H:%M}" in page or f"{until - dt.timedelta(minutes=1):%H:%M}" in page
    assert 1700 <= int(response["Retry-After"]) <= 1800
    assert not logged_in(client)
    assert "zuoxi" in locked


def test_a_locked_account_does_not_lock_its_desk_neighbour(client, people):
    fail(client, "zuoxi", 5)
    response = login(client, "zuzhang", "pw-zuzhang")
    assert response.status_code == 302 and logged_in(client)


def test_tries_during_the_lockout_do_not_extend_it(client, people):
    fail(client, "zuoxi", 5)
    first_end = AccessAttempt.objects.get(username="zuoxi").attempt_time
    fail(client, "zuoxi", 3)
    assert AccessAttempt.objects.get(username="zuoxi").attempt_time == first_end
    assert AccessAttempt.objects.get(username="zuoxi").failures_since_start == 5


def test_an_address_locks_only_at_its_own_higher_threshold(client, people, settings):
    settings.JIESU_LOGIN_IP_FAILURE_LIMIT = 12
    for number in range(11):  # one failure for each of many names, as a guessing script does
        login(client, f"guess{number}", "123456", address="10.1.1.9")
    assert login(client, "zuoxi", "pw-zuoxi", address="10.1.1.9").status_code == 302
    client.post("/logout/")
    login(client, "guess-last", "123456", address="10.1.1.9")
    response = login(client, "zuoxi", "pw-zuoxi", address="10.1.1.9")
    assert response.status_code == 429
    assert "该地址" in response.content.decode()
    assert not logged_in(client)
    assert login(client, "zuoxi", "pw-zuoxi", address="10.1.1.10").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, people):
    fail(client, "zuoxi", 5)
    assert login(client, "zuoxi", "pw-zuoxi").status_code == 429
    AccessAttempt.objects.filter(username="zuoxi").update(
        attempt_time=timezone.now() - dt.timedelta(minutes=31)
    )
    assert login(client, "zuoxi", "pw-zuoxi").status_code == 302
    assert logged_in(client)


def test_success_clears_the_count(client, people):
    fail(client, "zuoxi", 4)
    assert login(client, "zuoxi", "pw-zuoxi").status_code == 302
    client.post("/logout/")
    fail(client, "zuoxi", 4)
    assert login(client, "zuoxi", "pw-zuoxi").status_code == 302


def test_unlock_command(client, people):
    fail(client, "zuoxi", 5)
    call_command("unlock", "zuoxi")
    assert login(client, "zuoxi", "pw-zuoxi").status_code == 302


def test_unlock_command_for_an_address(client, people, settings, capsys):
    settings.JIESU_LOGIN_IP_FAILURE_LIMIT = 3
    for name in ("a1", "a2", "a3"):
        login(client, name, "x", address="10.2.2.2")
    assert login(client, "zuoxi", "pw-zuoxi", address="10.2.2.2").status_code == 429
    call_command("unlock", ip="10.2.2.2")
    assert "已解锁地址 10.2.2.2" in capsys.readouterr().out
    assert login(client, "zuoxi", "pw-zuoxi", address="10.2.2.2").status_code == 302


def test_administrator_unlocks_in_the_admin(client, people):
    fail(client, "zuoxi", 5)
    attempt = AccessAttempt.objects.get(username="zuoxi")
    boss = User.objects.create_superuser("boss", password="pw-boss")
    client.force_login(boss)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "zuoxi" in page
    response = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    client.post("/logout/")
    assert login(client, "zuoxi", "pw-zuoxi").status_code == 302


# --- sessions -----------------------------------------------------------------------------


def shift_session(client, *, started=None, active=None):
    """Move the session's stored start and last activity into the past (seconds ago)."""
    session = client.session
    now = int(time.time())
    if started is not None:
        session[SESSION_STARTED] = now - started
    if active is not None:
        session[SESSION_ACTIVE] = now - active
    session.save()


def test_login_stamps_the_session(client, people):
    login(client, "zuoxi", "pw-zuoxi")
    session = client.session
    assert abs(session[SESSION_STARTED] - time.time()) < 5
    assert session[SESSION_ACTIVE] == session[SESSION_STARTED]


def test_idle_session_is_logged_out_with_a_message(client, people):
    client.force_login(people["zuoxi"])
    shift_session(client, started=40 * 60, active=31 * 60)
    response = client.get("/cases/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=/cases/")
    page = client.get(response.url).content.decode()
    assert "长时间未操作,已自动退出,请重新登录" in page
    assert client.get("/cases/").status_code == 302


def test_activity_keeps_the_session(client, people):
    client.force_login(people["zuoxi"])
    shift_session(client, active=25 * 60)
    assert client.get("/cases/").status_code == 200
    assert time.time() - client.session[SESSION_ACTIVE] < 5
    shift_session(client, active=25 * 60)
    assert client.get("/cases/").status_code == 200


def test_polling_is_not_activity(client, people):
    client.force_login(people["zuoxi"])
    shift_session(client, active=25 * 60)
    before = client.session[SESSION_ACTIVE]
    response = client.get("/queues/counts/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert client.session[SESSION_ACTIVE] == before
    shift_session(client, active=31 * 60)
    response = client.get("/queues/counts/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/login/"
    assert response.content == b""
    assert client.get("/cases/").status_code == 302


def test_the_session_ends_after_the_absolute_limit(client, people):
    client.force_login(people["zuoxi"])
    shift_session(client, started=12 * 3600 + 5, active=10)
    response = client.get("/cases/", follow=True)
    assert "登录已超过 12 小时,已自动退出,请重新登录" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/login/")


def test_limits_come_from_settings(client, people, settings):
    settings.JIESU_SESSION_IDLE_MINUTES = 5
    client.force_login(people["zuoxi"])
    shift_session(client, active=6 * 60)
    assert client.get("/cases/").status_code == 302


def test_an_expired_browser_session_gets_the_api_error(client, people):
    client.force_login(people["zuoxi"])
    shift_session(client, active=31 * 60)
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"


def test_behind_a_trusted_proxy_each_desk_counts_apart(client, people, settings):
    settings.JIESU_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.JIESU_LOGIN_IP_FAILURE_LIMIT = 3
    for name in ("b1", "b2", "b3"):
        client.post("/login/", {"username": name, "password": "x"}, HTTP_X_FORWARDED_FOR="10.3.3.1")
    blocked = client.post(
        "/login/", {"username": "zuoxi", "password": "pw-zuoxi"}, HTTP_X_FORWARDED_FOR="10.3.3.1"
    )
    assert blocked.status_code == 429
    other_desk = client.post(
        "/login/", {"username": "zuoxi", "password": "pw-zuoxi"}, HTTP_X_FORWARDED_FOR="10.3.3.2"
    )
    assert other_desk.status_code == 302
