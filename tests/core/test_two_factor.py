"""等保 身份鉴别 c: a TOTP code (RFC 6238) after the password, for the roles that must use it."""

import base64
import hashlib
import hmac
import re
import struct
import time
import urllib.parse

import pytest
import segno
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiesu.audit.models import AuditEvent
from jiesu.core import twofactor
from jiesu.core.models import ApiToken


def totp(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HOTP of the 30-second counter, HMAC-SHA1, dynamic truncation), written here."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def code_for(user, at: float | None = None) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return totp(bytes.fromhex(device.key), at)


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def password(client, username):
    return client.post("/login/", {"username": username, "password": "pw-" + username})


def second(client, code):
    return client.post("/login/2fa/", {"code": code})


def logged_in(client) -> bool:
    return client.get("/cases/").status_code == 200


def kinds(**detail) -> list[str]:
    rows = AuditEvent.objects.order_by("id")
    return [e.kind for e in rows if all(e.detail.get(k) == v for k, v in detail.items())]


@pytest.fixture(autouse=True)
def _admins_must(settings):
    settings.JIESU_2FA_ROLES = ["admin"]


def test_the_tests_own_totp_matches_rfc_6238():
    # RFC 6238 appendix B, SHA-1 seed, T = 59 s: 94287082 (8 digits)
    assert totp(b"12345678901234567890", at=59, digits=8) == "94287082"
    assert totp(b"12345678901234567890", at=1111111109, digits=8) == "07081804"


def test_default_is_the_administrator_only():
    import jiesu.settings  # the module as loaded, before any test's override

    assert jiesu.settings.JIESU_2FA_ROLES == ["admin"]


def test_right_password_without_code_is_not_logged_in(client, people):
    enrol(people["admin"])
    response = password(client, "admin")
    assert response.status_code == 302 and response["Location"] == "/login/2fa/"
    assert "_auth_user_id" not in client.session
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert client.get("/api/v1/cases").status_code == 401
    assert "login" not in kinds()


def test_right_code_logs_in(client, people):
    enrol(people["admin"])
    password(client, "admin")
    page = client.get("/login/2fa/")
    assert page.status_code == 200 and "动态口令" in page.content.decode()
    response = second(client, code_for(people["admin"]))
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/cases/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_verified()
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("otp_totp.totpdevice/")
    assert kinds()[-2:] == ["login", "otp_ok"]


def test_the_next_page_survives_the_second_step(client, people):
    enrol(people["admin"])
    client.post("/login/", {"username": "admin", "password": "pw-admin", "next": "/rules/"})
    assert second(client, code_for(people["admin"]))["Location"] == "/rules/"


def test_a_code_from_three_steps_ago_is_refused(client, people):
    enrol(people["admin"])
    password(client, "admin")
    response = second(client, code_for(people["admin"], at=time.time() - 90))
    assert response.status_code == 400 and "动态口令不正确" in response.content.decode()
    assert not logged_in(client)
    assert kinds(factor="otp") == ["login_failed"]


def test_a_code_is_accepted_once(client, people):
    enrol(people["admin"])
    code = code_for(people["admin"])
    password(client, "admin")
    assert second(client, code).status_code == 302
    client.post("/logout/")
    password(client, "admin")
    assert second(client, code).status_code == 400
    assert not logged_in(client)


def test_a_backup_code_works_once_and_only_once(client, people):
    enrol(people["admin"])
    codes = twofactor.new_backup_codes(people["admin"])
    assert len(codes) == 10 and len(set(codes)) == 10
    password(client, "admin")
    response = second(client, codes[3].upper())
    assert response.status_code == 302 and logged_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("otp_static.staticdevice/")
    client.post("/logout/")
    password(client, "admin")
    assert second(client, codes[3]).status_code == 400
    assert not logged_in(client)
    assert second(client, codes[4]).status_code == 302 and logged_in(client)


def test_five_wrong_codes_lock_the_account(client, people):
    enrol(people["admin"])
    password(client, "admin")
    for _ in range(4):
        assert second(client, "918273").status_code == 400
    response = second(client, "918273")
    assert response.status_code == 429 and "该账号已暂时锁定" in response.content.decode()
    # the half-login is gone: the right code now leads back to the password
    response = second(client, code_for(people["admin"]))
    assert response.status_code == 302 and response["Location"] == "/login/"
    response = password(client, "admin")
    assert response.status_code == 429 and "该账号已暂时锁定" in response.content.decode()
    assert not logged_in(client)
    assert kinds(factor="otp") == ["login_failed"] * 5
    assert "lockout" in kinds()
    attempt = AccessAttempt.objects.get(username="admin")
    assert attempt.failures_since_start == 5 and "918273" not in attempt.post_data
    # unlocking is the same as for passwords
    call_command("unlock", "admin")
    password(client, "admin")
    assert second(client, code_for(people["admin"])).status_code == 302 and logged_in(client)


def test_a_locked_account_cannot_keep_guessing_codes(client, people):
    enrol(people["admin"])
    password(client, "admin")
    other = type(client)()
    for _ in range(5):
        other.post("/login/", {"username": "admin", "password": "wrong-password"})
    response = second(client, code_for(people["admin"]))
    assert response.status_code == 429 and not logged_in(client)


def test_the_half_login_expires_after_five_minutes(client, people):
    enrol(people["admin"])
    password(client, "admin")
    session = client.session
    session[twofactor.PENDING_AT] -= 301
    session.save()
    response = second(client, code_for(people["admin"]))
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not logged_in(client)


def qr_modules(data_uri: str) -> set[tuple[int, int]]:
    """The dark modules of segno's SVG: one path of relative moves (m) and runs (h)."""
    assert data_uri.startswith("data:image/svg+xml")
    svg = urllib.parse.unquote(data_uri.split(",", 1)[1])
    assert svg.startswith("<svg") and "</svg>" in svg
    path = re.search(r" d='([^']+)'", svg).group(1)
    dark, x, y = set(), 0.0, 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(a)))
            x += float(a)
    return dark


def test_an_admin_without_a_device_must_enrol_first(client, people):
    admin = people["admin"]
    response = password(client, "admin")
    assert response.status_code == 302 and response["Location"] == "/login/2fa/enrol/"
    for url in ("/cases/", "/account/password/", "/account/2fa/", "/audit/"):
        assert client.get(url).status_code == 302, url
    page = client.get("/login/2fa/enrol/").content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    secret = re.search(r"data-otp-secret>([A-Z2-7]+)<", page).group(1)
    assert secret == base64.b32encode(bytes.fromhex(device.key)).decode()
    data_uri = re.search(r'src="(data:image/svg\+xml[^"]+)"', page).group(1)
    uri = f"otpauth://totp/{urllib.parse.quote('接诉即办工作平台:admin')}?secret={secret}"
    assert device.config_url.startswith(uri)
    qr = segno.make(device.config_url, error="m")
    expected = {(c + 2, r + 2) for r, row in enumerate(qr.matrix) for c, v in enumerate(row) if v}
    assert qr_modules(data_uri) == expected
    # a wrong first code does not bind the phone
    response = client.post("/login/2fa/enrol/", {"code": "123456"})
    assert response.status_code == 400 and not logged_in(client)
    response = client.post(
        "/login/2fa/enrol/", {"code": totp(base64.b32decode(secret))}, follow=False
    )
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert response.status_code == 200 and len(codes) == 10 and "只显示这一次" in page
    assert logged_in(client)
    assert StaticDevice.objects.get(user=admin).token_set.count() == 10
    assert {"otp_enrolled", "login"} <= set(kinds())
    assert client.get("/account/2fa/").content.decode().count("剩余 10 个") == 1


def test_the_enrolment_secret_stays_the_same_across_visits(client, people):
    password(client, "admin")
    first = client.get("/login/2fa/enrol/").content.decode()
    second_visit = client.get("/login/2fa/enrol/").content.decode()
    pick = re.compile(r"data-otp-secret>([A-Z2-7]+)<")
    assert pick.search(first).group(1) == pick.search(second_visit).group(1)


def test_a_role_not_in_the_setting_logs_in_with_the_password_alone(client, people):
    response = password(client, "zuzhang")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in(client)


def test_all_forces_everyone(client, people, settings):
    settings.JIESU_2FA_ROLES = ["all"]
    response = password(client, "zuoxi")
    assert response["Location"] == "/login/2fa/enrol/" and not logged_in(client)


def test_a_listed_role_forces_its_holders_only(client, people, settings):
    settings.JIESU_2FA_ROLES = ["operator", "leader"]
    assert password(client, "zuzhang")["Location"] == "/login/2fa/enrol/"
    assert password(client, "shuju")["Location"] == "/"


def test_empty_setting_forces_nobody_but_an_enrolled_user_still_gives_a_code(
    client, people, settings
):
    settings.JIESU_2FA_ROLES = []
    assert password(client, "admin")["Location"] == "/"
    client.post("/logout/")
    enrol(people["zuoxi"])
    assert password(client, "zuoxi")["Location"] == "/login/2fa/"


def test_an_unverified_session_of_a_required_role_is_refused(client, people):
    client.force_login(people["admin"])  # a session from before 2FA was required
    assert client.get("/cases/")["Location"] == "/login/2fa/enrol/"
    enrol(people["admin"])
    assert client.get("/cases/")["Location"] == "/login/2fa/"
    htmx = client.get("/queues/counts/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == "/login/2fa/"
    api = client.get("/api/v1/cases")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
    assert "动态口令" in api.json()["error"]["message"]
    assert client.get("/healthz").status_code != 302
    # the code, given now, verifies this session
    assert second(client, code_for(people["admin"])).status_code == 302
    assert logged_in(client)


def test_bearer_tokens_are_not_affected(client, people):
    raw = ApiToken.issue(people["admin"])
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    # nor can an unverified session stand in for a bad token
    client.force_login(people["admin"])
    response = client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


def test_the_admin_login_form_is_not_a_way_around(client, people):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"
    response = client.post("/admin/login/", {"username": "admin", "password": "pw-admin"})
    assert "_auth_user_id" not in client.session


def verified(client, user):
    enrol(user)
    password(client, user.username)
    assert second(client, code_for(user)).status_code == 302


def test_admin_reset_removes_devices_and_is_audited(client, people):
    root = User.objects.create_superuser("root", password="pw-root")
    verified(client, root)
    zuzhang = people["zuzhang"]
    enrol(zuzhang)
    twofactor.new_backup_codes(zuzhang)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [zuzhang.pk]},
        follow=True,
    )
    assert "已重置 1 人的动态口令" in response.content.decode()
    assert not twofactor.enrolled(zuzhang)
    assert not StaticDevice.objects.filter(user=zuzhang).exists()
    event = AuditEvent.objects.filter(kind="otp_reset").get()
    assert event.actor_username == "root" and event.target_id == str(zuzhang.pk)
    assert event.detail["devices"] == 2


def test_reset_command(people, capsys):
    enrol(people["admin"])
    call_command("otp-reset", "admin")
    assert "已重置“admin”" in capsys.readouterr().out
    assert not twofactor.enrolled(people["admin"])
    assert AuditEvent.objects.filter(kind="otp_reset").count() == 1


def test_a_reset_ends_the_verified_sessions(client, people):
    verified(client, people["admin"])
    twofactor.reset(people["admin"])
    assert client.get("/cases/")["Location"] == "/login/2fa/enrol/"


def test_the_user_renews_backup_codes_with_a_current_code(client, people):
    admin = people["admin"]
    verified(client, admin)
    old = twofactor.new_backup_codes(admin)
    page = client.get("/account/2fa/").content.decode()
    assert "已启用" in page and "剩余 10 个" in page
    response = client.post("/account/2fa/backup-codes/", {"code": old[0]})
    assert response.status_code == 400 and "动态口令不正确" in response.content.decode()
    assert StaticDevice.objects.get(user=admin).token_set.filter(token=old[0]).exists()
    # the login spent this step's code: the next step's is within the window
    code = code_for(admin, at=time.time() + 30)
    response = client.post("/account/2fa/backup-codes/", {"code": code})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert set(
        StaticDevice.objects.get(user=admin).token_set.values_list("token", flat=True)
    ) == set(new)


def test_anyone_may_enrol_from_the_account_page(client, people):
    zuoxi = people["zuoxi"]
    password(client, "zuoxi")
    page = client.get("/account/2fa/").content.decode()
    assert "尚未启用" in page
    assert "/account/2fa/" in client.get("/account/password/").content.decode()
    page = client.get("/login/2fa/enrol/").content.decode()
    secret = re.search(r"data-otp-secret>([A-Z2-7]+)<", page).group(1)
    response = client.post("/login/2fa/enrol/", {"code": totp(base64.b32decode(secret))})
    assert response.status_code == 200 and 'href="/account/2fa/"' in response.content.decode()
    assert twofactor.enrolled(zuoxi) and logged_in(client)
    client.post("/logout/")
    assert password(client, "zuoxi")["Location"] == "/login/2fa/"


def test_an_unknown_role_in_the_setting_is_a_configuration_error(settings):
    settings.JIESU_2FA_ROLES = ["admn"]
    errors = twofactor.check_roles()
    assert errors and "admn" in errors[0].msg
    settings.JIESU_2FA_ROLES = ["admin", "all"]
    assert twofactor.check_roles() == []


def test_wrong_codes_when_renewing_backup_codes_lock_the_account(client, people, settings):
    """An open desk is no place to guess the six digits: renewing counts like logging in."""
    admin = people["admin"]
    verified(client, admin)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/account/2fa/backup-codes/", {"code": "000000"})
        assert response.status_code == 400
    response = client.post("/account/2fa/backup-codes/", {"code": "000000"})
    assert response.status_code == 429  # the lockout page, as at login
    assert "锁定" in response.content.decode()
    assert not logged_in(client)
    assert AccessAttempt.objects.get(username="admin").failures_since_start == 5
    # locked: even the right password is refused now
    assert client.post("/login/", {"username": "admin", "password": "pw-admin"}).status_code == 429


def test_device_secrets_have_no_admin_pages(client, people):
    """django-otp's own pages show a phone's key and the backup codes, and let staff add codes
    to another person's device: jiesu offers only the audited reset."""
    root = User.objects.create_superuser("root", password="pw-root")
    verified(client, root)
    assert client.get("/admin/auth/user/").status_code == 200  # the admin itself answers
    for path in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(path).status_code == 404
    enrol(people["zuzhang"])
    twofactor.new_backup_codes(people["zuzhang"])
    secrets_ = [e.detail for e in AuditEvent.objects.filter(kind__startswith="config")]
    text = str(secrets_)
    device = TOTPDevice.objects.get(user=people["zuzhang"])
    assert device.key not in text
    assert not any(
        t in text for t in StaticDevice.objects.get().token_set.values_list("token", flat=True)
    )
