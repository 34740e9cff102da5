"""Notifications sent outside: a local SMTP server (aiosmtpd) and a local HTTP endpoint (the
SMS gateway and the group robot), both started here on free ports, receive exactly the
expected messages, masked; failures are retried at the back-off times and sent once; quiet
hours hold back the non-urgent; a kind turned off stays inside; two passes send once."""

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from jiesu.supervision import chase, deliveries
from jiesu.supervision.deliveries import quiet_until, send_due
from jiesu.supervision.models import Delivery, Notification, Preference
from jiesu.supervision.notify import notify
from tests.conftest import at
from tests.workers import run_workers

# --- the local servers ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [
            (e.rcpt_tos, email.message_from_bytes(e.content, policy=email.policy.default))
            for e in self.envelopes
        ]


@pytest.fixture
def smtp(settings):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_TIMEOUT = 3
    settings.DEFAULT_FROM_EMAIL = "jiesu@example.org"
    yield inbox
    controller.stop()


class _Endpoint:
    """Records every POST; answers with the next planned (status, body), else 200."""

    def __init__(self):
        self.requests = []
        self.replies = {}  # path → list of (status, body)

    def answer(self, path, *replies):
        self.replies[path] = list(replies)

    def bodies(self, path):
        return [json.loads(body) for p, _, body in self.requests if p == path]


@pytest.fixture
def endpoint(settings):
    state = _Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((self.path, self.headers.get("Content-Type"), body))
            planned = state.replies.get(self.path) or []
            status, reply = planned.pop(0) if planned else (200, '{"errcode": 0}')
            data = reply.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.JIESU_SMS_URL = base + "/sms"
    settings.JIESU_SMS_KEY = "k-123"
    settings.JIESU_WEBHOOK_URL = base + "/robot"
    settings.JIESU_SEND_TIMEOUT = 3
    yield state
    server.shutdown()
    server.server_close()


def _prefer(user, **values):
    values.setdefault("email_on", False)
    return Preference.objects.create(user=user, **values)


# --- what arrives ----------------------------------------------------------------------


def test_each_channel_receives_exactly_the_expected_message_masked(
    smtp, endpoint, people, dispatched
):
    shequ = people["shequ"]
    shequ.email = "shequ@example.org"
    shequ.save()
    _prefer(shequ, email_on=True, sms_on=True, webhook_on=True, mobile="13900001111")
    no = dispatched.platform_no
    # the caller's name, phone and address written into a text by mistake
    text = (
        f"【自动催办】工单{no}已派发 2 小时,请尽快办理。(张三 13812341234 华龙苑南里12号楼3单元502)"
    )
    masked = f"【自动催办】工单{no}已派发 2 小时,请尽快办理。(张* 138****1234 华龙苑南里****)"
    now = at("2026-03-02 11:40")
    assert notify("urge", [shequ], text=text, key="urge-1", case=dispatched, at=now) == 1
    n = Notification.objects.get(key="urge-1")
    assert n.text == text  # inside the platform, as written

    assert send_due(now) == {"sent": 3, "retry": 0, "failed": 0}

    [(to, mail)] = smtp.messages()
    assert to == ["shequ@example.org"]
    assert mail["Subject"] == "【接诉即办】自动催办"
    assert mail["From"] == "jiesu@example.org"
    assert mail["Message-ID"] == f"<jiesu-{n.pk}-email@example.org>"
    body = mail.get_content().replace("\r\n", "\n")
    assert body.startswith(masked + "\n\n此邮件由")
    assert "13812341234" not in body and "张三" not in body and "12号楼" not in body

    assert endpoint.bodies("/sms") == [
        {
            "apikey": "k-123",
            "mobile": "13900001111",
            "text": masked,
            "request_id": f"jiesu-{n.pk}-sms",
        }
    ]
    assert endpoint.bodies("/robot") == [
        {"msgtype": "text", "text": {"content": f"@shequ {masked}"}}
    ]
    assert [r[1] for r in endpoint.requests] == ["application/json; charset=utf-8"] * 2

    rows = {d.channel: d for d in Delivery.objects.filter(notification=n)}
    assert set(rows) == {"email", "sms", "webhook"}
    for d in rows.values():
        assert (d.status, d.attempts, d.sent_at, d.last_error) == ("sent", 1, now, "")
        assert d.tries == [{"at": now.isoformat(), "result": "已发送"}]
    assert rows["email"].to == "shequ@example.org" and rows["sms"].to == "13900001111"

    # a second pass at the same minute, and later ones, send nothing again
    assert send_due(now) == {"sent": 0, "retry": 0, "failed": 0}
    assert send_due(now + dt.timedelta(hours=3)) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp.envelopes) == 1 and len(endpoint.requests) == 2
    # the same event told again makes no second notification and no second delivery
    assert notify("urge", [shequ], text=text, key="urge-1", case=dispatched, at=now) == 0
    assert Delivery.objects.count() == 3


def test_the_sms_body_as_a_form_from_the_office_template(settings, endpoint, people):
    settings.JIESU_SMS_FORMAT = "form"
    settings.JIESU_SMS_TEMPLATE = '{"to": "{mobile}", "msg": "【12345】{text}", "sig": "{apikey}"}'
    _prefer(people["shequ"], sms_on=True, mobile="13900001111")
    notify(
        "digest", [people["shequ"]], text='每日汇总:"在办" 3 件', key="d", at=at("2026-03-02 08:30")
    )
    send_due(at("2026-03-02 08:30"))
    [(path, content_type, body)] = endpoint.requests
    assert path == "/sms" and content_type == "application/x-www-form-urlencoded"
    from urllib.parse import parse_qs

    assert parse_qs(body.decode()) == {
        "to": ["13900001111"],
        "msg": ['【12345】每日汇总:"在办" 3 件'],
        "sig": ["k-123"],
    }


def test_chasing_reaches_the_mailbox_without_personal_data(smtp, people, dispatched):
    shequ = people["shequ"]
    shequ.email = "shequ@example.org"
    shequ.save()  # no preference row: e-mail, every kind
    chase.run(at("2026-03-02 11:40"))  # the 2-hour 催办 node, and the day's digest (late)
    assert send_due(at("2026-03-02 11:40"))["sent"] == 2
    mails = {m["Subject"]: (to, m.get_content()) for to, m in smtp.messages()}
    assert set(mails) == {"【接诉即办】自动催办", "【接诉即办】每日汇总"}
    to, body = mails["【接诉即办】自动催办"]
    assert to == ["shequ@example.org"] and dispatched.platform_no in body
    for _, body in mails.values():
        for pii in ("张三", "13812341234", "12号楼"):
            assert pii not in body
    # the others told have no e-mail address: nothing kept for them
    assert Delivery.objects.count() == 2


# --- retries ---------------------------------------------------------------------------


def test_a_failing_gateway_is_retried_at_the_backoff_times_and_sent_once(endpoint, people):
    endpoint.answer("/sms", (500, "busy"), (500, "busy"))
    _prefer(people["shequ"], sms_on=True, mobile="13900001111")
    t0 = at("2026-03-02 10:00")
    notify("urge", [people["shequ"]], text="【自动催办】一", key="u", at=t0)
    d = Delivery.objects.get()

    assert send_due(t0) == {"sent": 0, "retry": 1, "failed": 0}
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_try_at) == ("pending", 1, t0 + dt.timedelta(minutes=1))
    assert d.last_error == "网关返回 500:busy"
    assert send_due(t0 + dt.timedelta(seconds=59))["retry"] == 0  # not yet due
    assert send_due(t0 + dt.timedelta(minutes=1)) == {"sent": 0, "retry": 1, "failed": 0}
    d.refresh_from_db()
    assert d.next_try_at == t0 + dt.timedelta(minutes=6)  # then 5 minutes
    assert send_due(t0 + dt.timedelta(minutes=6)) == {"sent": 1, "retry": 0, "failed": 0}
    assert send_due(t0 + dt.timedelta(hours=3))["sent"] == 0

    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_error) == ("sent", 3, "")
    assert d.sent_at == t0 + dt.timedelta(minutes=6)
    assert [t["result"] for t in d.tries] == ["网关返回 500:busy", "网关返回 500:busy", "已发送"]
    # three requests, each with the same request id; one message went through
    assert [b["request_id"] for b in endpoint.bodies("/sms")] == [d.key] * 3


def test_a_robot_that_keeps_refusing_fails_for_good_after_five_tries(endpoint, people):
    refused = (200, '{"errcode": 93000, "errmsg": "invalid webhook url"}')
    endpoint.answer("/robot", *[refused] * 6)
    _prefer(people["zuzhang"], webhook_on=True)
    t0 = at("2026-03-02 10:00")
    notify("overdue", [people["zuzhang"]], text="【超期升级】一", key="o", at=t0)
    minutes = [0, 1, 6, 36, 156]  # 1, 5, 30 and 120 minutes apart
    for m in minutes:
        send_due(t0 + dt.timedelta(minutes=m))
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("failed", 5)
    assert d.last_error == "群机器人返回错误 93000:invalid webhook url"
    assert [t["at"] for t in d.tries] == [
        (t0 + dt.timedelta(minutes=m)).isoformat() for m in minutes
    ]
    assert send_due(t0 + dt.timedelta(days=1))["failed"] == 0
    assert len(endpoint.requests) == 5


def test_a_gateway_that_is_down_holds_up_one_pass_three_times_only(settings, people, org):
    settings.JIESU_SMS_URL = f"http://127.0.0.1:{_free_port()}/sms"  # nobody listens
    users = [people[p] for p in ("shequ", "keshi", "zuoxi", "shenhe", "shuju")]
    for u in users:
        _prefer(u, sms_on=True, mobile="13900001111")
    notify("urge", users, text="【自动催办】一", key="u", at=at("2026-03-02 10:00"))
    assert send_due(at("2026-03-02 10:00")) == {"sent": 0, "retry": 3, "failed": 0}
    errors = set(Delivery.objects.exclude(attempts=0).values_list("last_error", flat=True))
    assert len(errors) == 1 and errors.pop().startswith("无法连接网关")
    assert Delivery.objects.filter(attempts=0, status="pending").count() == 2


# --- preferences at send time ---------------------------------------------------------


def test_quiet_hours_delay_a_non_urgent_one_and_not_an_urgent_one(smtp, people):
    shequ = people["shequ"]
    shequ.email = "shequ@example.org"
    shequ.save()
    _prefer(shequ, email_on=True, quiet_from=dt.time(22), quiet_to=dt.time(7))
    late = at("2026-03-02 23:30")
    notify("urge", [shequ], text="【自动催办】夜里", key="a", at=late)
    notify("overdue", [shequ], text="【超期升级】夜里", key="b", at=late)
    assert Delivery.objects.get(notification__key="a").next_try_at == at("2026-03-03 07:00")

    assert send_due(late)["sent"] == 1
    assert send_due(at("2026-03-03 06:59"))["sent"] == 0
    assert send_due(at("2026-03-03 07:00"))["sent"] == 1
    assert [m.get_content().splitlines()[0] for _, m in smtp.messages()] == [
        "【超期升级】夜里",
        "【自动催办】夜里",
    ]
    # both are on the page at once
    assert shequ.notifications.count() == 2


def test_quiet_until():
    over_midnight = Preference(quiet_from=dt.time(22), quiet_to=dt.time(7))
    assert quiet_until(over_midnight, at("2026-03-02 21:59")) is None
    assert quiet_until(over_midnight, at("2026-03-02 22:00")) == at("2026-03-03 07:00")
    assert quiet_until(over_midnight, at("2026-03-03 06:00")) == at("2026-03-03 07:00")
    assert quiet_until(over_midnight, at("2026-03-03 07:00")) is None
    midday = Preference(quiet_from=dt.time(12), quiet_to=dt.time(13, 30))
    assert quiet_until(midday, at("2026-03-02 12:10")) == at("2026-03-02 13:30")
    assert quiet_until(midday, at("2026-03-02 13:30")) is None
    assert quiet_until(Preference(), at("2026-03-02 23:00")) is None


def test_a_kind_turned_off_sends_nothing_outside(smtp, people):
    shequ = people["shequ"]
    shequ.email = "shequ@example.org"
    shequ.save()
    _prefer(shequ, email_on=True, kinds_off=["digest"])
    now = at("2026-03-02 08:30")
    notify("digest", [shequ], text="每日汇总", key="d", at=now)
    notify("due_soon", [shequ], text="【临期提醒】一", key="s", at=now)
    assert send_due(now)["sent"] == 1
    [(_, mail)] = smtp.messages()
    assert mail["Subject"] == "【接诉即办】临期提醒"
    assert shequ.notifications.filter(key="d").exists()  # still told inside
    assert not Delivery.objects.filter(notification__key="d").exists()


def test_a_channel_with_nowhere_to_send_is_kept_as_skipped(endpoint, people):
    _prefer(people["shequ"], sms_on=True, mobile="")
    notify("urge", [people["shequ"]], text="【自动催办】一", key="u", at=at("2026-03-02 10:00"))
    d = Delivery.objects.get()
    assert (d.status, d.last_error) == ("skipped", "未填写手机号")
    assert send_due(at("2026-03-02 10:00"))["sent"] == 0 and endpoint.requests == []


# --- once ------------------------------------------------------------------------------


def test_a_delivery_taken_by_another_worker_is_not_sent_again(smtp, people):
    shequ = people["shequ"]
    shequ.email = "shequ@example.org"
    shequ.save()
    now = at("2026-03-02 10:00")
    notify("urge", [shequ], text="【自动催办】一", key="u", at=now)
    d = Delivery.objects.get()
    assert deliveries.claim(d.pk, now) is True  # worker A takes it …
    assert deliveries.claim(d.pk, now) is False  # … so worker B cannot
    assert send_due(now)["sent"] == 0 and smtp.envelopes == []
    # worker A died while sending: after ten minutes the row goes back and goes out once
    assert send_due(now + dt.timedelta(minutes=9))["sent"] == 0
    assert send_due(now + dt.timedelta(minutes=11))["sent"] == 1
    assert send_due(now + dt.timedelta(minutes=11))["sent"] == 0
    assert len(smtp.envelopes) == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 2)


def test_the_worker_pass_sends(smtp, people):
    import io

    from jiesu.ops.management.commands.worker import Command

    shequ = people["shequ"]
    shequ.email = "shequ@example.org"
    shequ.save()
    notify("urge", [shequ], text="【自动催办】一", key="u", at=at("2026-03-02 10:00"))
    worker = Command(stdout=io.StringIO())
    worker.send_notifications(at("2026-03-02 10:00"))  # the step of each worker pass
    assert "站外通知发送 1 条,待重试 0 条,失败 0 条" in worker.stdout.getvalue()
    assert len(smtp.envelopes) == 1
    assert Delivery.objects.get().status == "sent"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_send_each_message_once(smtp, people, tmp_path):
    """Two `jiesu worker --once --now …` at the same minute over twelve due e-mails: twelve
    arrive, not twenty-four."""
    if connection.vendor != "postgresql":
        pytest.skip("two processes need a database server")
    users = [people[p] for p in ("shequ", "keshi", "zuoxi", "shenhe", "shuju", "zuzhang")]
    for u in users:
        u.email = f"{u.username}@example.org"
        u.save()
    for i in range(2):
        notify("urge", users, text=f"【自动催办】{i}", key=f"u{i}", at=at("2026-03-02 11:40"))
    assert Delivery.objects.filter(status="pending").count() == 12
    run_workers(
        "2026-03-02T11:40:00+08:00",
        tmp_path=tmp_path,
        JIESU_EMAIL_HOST="127.0.0.1",
        JIESU_EMAIL_PORT=str(smtp.port),
    )
    assert len(smtp.envelopes) == 12
    assert sorted(r for e in smtp.envelopes for r in e.rcpt_tos) == sorted(
        u.email for u in users for _ in range(2)
    )
    assert Delivery.objects.filter(status="sent", attempts=1).count() == 12
