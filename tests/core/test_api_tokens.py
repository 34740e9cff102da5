"""API tokens: an expiry date, revocation, and the time each was last used."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from jiesu.core.models import ApiToken, hash_token


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def row(raw) -> ApiToken:
    return ApiToken.objects.get(key_hash=hash_token(raw))


def test_a_used_token_records_when(client, people):
    raw = ApiToken.issue(people["zuoxi"])
    assert row(raw).last_used_at is None
    assert client.get("/api/v1/cases", **bearer(raw)).status_code == 200
    assert timezone.now() - row(raw).last_used_at < dt.timedelta(seconds=10)


def test_a_token_lasts_a_year_by_default(people):
    token = row(ApiToken.issue(people["zuoxi"]))
    assert abs(token.expires_at - token.created_at - dt.timedelta(days=365)) < dt.timedelta(
        seconds=5
    )


def test_an_expired_token_answers_401(client, people):
    raw = ApiToken.issue(people["zuoxi"])
    ApiToken.objects.filter(key_hash=hash_token(raw)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/api/v1/cases", **bearer(raw))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated" and "接口令牌已过期" in error["message"]
    assert row(raw).last_used_at is None


def test_a_revoked_token_answers_401(client, people):
    raw = ApiToken.issue(people["zuoxi"])
    ApiToken.objects.filter(key_hash=hash_token(raw)).update(revoked_at=timezone.now())
    response = client.get("/api/v1/cases", **bearer(raw))
    assert response.status_code == 401
    assert "已被吊销" in response.json()["error"]["message"]


def test_an_unknown_token_keeps_the_general_message(client, db):
    response = client.get("/api/v1/cases", **bearer("js_nothing"))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "请先登录,或在请求头中提供有效的接口令牌。"


def test_open311_refuses_an_expired_key(client, people):
    raw = ApiToken.issue(people["zuoxi"])
    ApiToken.objects.filter(key_hash=hash_token(raw)).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    response = client.post("/open311/v2/requests.json", {"api_key": raw})
    assert response.status_code == 403
    assert "接口令牌已过期" in response.content.decode()


def test_token_command_takes_days(people, capsys):
    call_command("token", "zuoxi", "--days", "30")
    token = row(capsys.readouterr().out.strip())
    assert abs(token.expires_at - timezone.now() - dt.timedelta(days=30)) < dt.timedelta(seconds=10)


def test_administrator_revokes_in_the_admin(client, people):
    from django.contrib.auth.models import User

    raw = ApiToken.issue(people["zuoxi"])
    client.force_login(User.objects.create_superuser("boss", password="pw-boss"))
    client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [row(raw).pk]},
    )
    assert row(raw).revoked_at is not None
    client.post("/logout/")
    assert client.get("/api/v1/cases", **bearer(raw)).status_code == 401
