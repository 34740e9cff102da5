"""Logins, failures, lockouts and logouts, from real requests, with address and browser."""

from django.conf import settings

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 测试浏览器"


def test_login_failure_and_logout_are_recorded_with_ip_and_browser(client, people, events):
    peer = {"REMOTE_ADDR": "10.8.0.23", "HTTP_USER_AGENT": BROWSER}
    client.post("/login/", {"username": "zuoxi", "password": "wrong"}, **peer)
    response = client.post("/login/", {"username": "zuoxi", "password": "pw-zuoxi"}, **peer)
    assert response.status_code == 302
    client.post("/logout/", **peer)

    failed, login, logout = events()
    assert failed.kind == "login_failed"
    assert failed.actor_id is None
    assert failed.actor_username == "zuoxi"
    assert failed.detail == {"username_tried": "zuoxi"}
    assert login.kind == "login" and login.actor_id == people["zuoxi"].pk
    assert logout.kind == "logout" and logout.actor_id == people["zuoxi"].pk
    for row in (failed, login, logout):
        assert row.ip == "10.8.0.23"
        assert row.user_agent == BROWSER
    # the password typed is never kept
    assert "wrong" not in str(failed.detail)


def test_a_failed_login_for_an_unknown_name_keeps_the_name_tried(client, db, events):
    client.post("/login/", {"username": "no-such", "password": "x"}, REMOTE_ADDR="10.8.0.9")
    (failed,) = events()
    assert (failed.kind, failed.actor_username, failed.ip) == (
        "login_failed",
        "no-such",
        "10.8.0.9",
    )


def test_lockout_is_recorded(client, people, events):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "zuoxi", "password": "wrong"}, REMOTE_ADDR="10.8.0.5")
    kinds = [e.kind for e in events()]
    assert kinds.count("lockout") == 1
    lockout = events(kind="lockout")[0]
    assert lockout.actor_username == "zuoxi"
    assert lockout.ip == "10.8.0.5"


def test_forwarded_for_counts_only_from_a_trusted_proxy(client, people, events, settings):
    settings.JIESU_TRUSTED_PROXIES = ["10.0.0.1"]
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"}
    client.post(
        "/login/", {"username": "zuoxi", "password": "x"}, REMOTE_ADDR="10.0.0.1", **forwarded
    )
    # someone else writing the same header from their own desk is recorded as their desk
    client.post(
        "/login/", {"username": "zuoxi", "password": "x"}, REMOTE_ADDR="10.9.9.9", **forwarded
    )
    assert [e.ip for e in events()] == ["203.0.113.9", "10.9.9.9"]


def test_unlocks_are_recorded_and_a_successful_login_is_not_one(client, people, events):
    from axes.models import AccessAttempt
    from django.contrib.auth.models import User
    from django.core.management import call_command

    def fail_five():
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/login/", {"username": "zuoxi", "password": "wrong"})

    fail_five()
    call_command("unlock", "zuoxi")
    assert client.post("/login/", {"username": "zuoxi", "password": "pw-zuoxi"}).status_code == 302
    client.post("/logout/")
    # one wrong password, then a right one: axes clears the record, which is no unlock
    client.post("/login/", {"username": "zuoxi", "password": "wrong"})
    client.post("/login/", {"username": "zuoxi", "password": "pw-zuoxi"})
    client.post("/logout/")
    fail_five()
    attempt = AccessAttempt.objects.get(username="zuoxi")
    boss = User.objects.create_superuser("boss", password="pw-boss-Long1!")
    client.force_login(boss)
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    unlocks = [e for e in events() if e.kind == "unlock"]
    assert [(e.detail["username_unlocked"], e.detail["how"]) for e in unlocks] == [
        ("zuoxi", "命令行"),
        ("zuoxi", "管理后台"),
    ]
    assert unlocks[0].detail["cleared"] == 1
    assert unlocks[1].actor_username == "boss"
