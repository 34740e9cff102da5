"""Senders (站外通知渠道): e-mail, SMS through the office's HTTP gateway, and the enterprise-chat
group robot, behind one interface: `send(delivery)` returns the address it went to, or
raises SendFailed with a short message. Every text leaves through `outside_text`, which masks
personal data a text may carry by mistake (notification texts are meant to have none)."""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

from jiesu.core.masking import mask_text, own_data
from jiesu.supervision.models import Channel, Delivery

SUBJECT = "【接诉即办】{kind}"
FOOTER = "\n\n此邮件由接诉即办工作平台自动发送,请登录平台查看详情。"


class SendFailed(Exception):
    """A send that did not go through; the message is kept on the delivery (short)."""


class Unreachable(SendFailed):
    """Nothing to send to (no address, channel not configured): not retried."""


def outside_text(delivery: Delivery) -> str:
    """The notification's text, masked again: numbers, and the case's caller data."""
    n = delivery.notification
    return mask_text(n.text, own_data(n.case) if n.case_id else None)


class Sender:
    channel: str

    def address(self, delivery: Delivery) -> str:
        """Where this delivery goes; raises Unreachable when there is nowhere."""
        raise NotImplementedError

    def send(self, delivery: Delivery) -> str:
        raise NotImplementedError


class EmailSender(Sender):
    channel = Channel.EMAIL

    def address(self, delivery):
        email = delivery.notification.user.email
        if not email:
            raise Unreachable("未填写电子邮箱")
        return email

    def send(self, delivery):
        to = self.address(delivery)
        n = delivery.notification
        sender = settings.DEFAULT_FROM_EMAIL
        domain = sender.rpartition("@")[2] or "localhost"
        message = EmailMessage(
            subject=SUBJECT.format(kind=n.get_kind_display()),
            body=outside_text(delivery) + FOOTER,
            from_email=sender,
            to=[to],
            # the same Message-ID on a repeat, so a mailbox shows it once
            headers={"Message-ID": f"<{delivery.key}@{domain}>"},
        )
        try:
            message.send()
        except Exception as e:  # smtplib's, socket's and ssl's errors alike
            raise SendFailed(f"邮件发送失败:{_short(e)}") from e
        return to


def _short(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:150]


def _post(url: str, body: bytes, content_type: str) -> str:
    """POST and return the reply's text; SendFailed on anything but a 2xx reply."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.JIESU_SEND_TIMEOUT) as reply:
            return reply.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        text = e.read(200).decode("utf-8", "replace").strip()
        raise SendFailed(f"网关返回 {e.code}" + (f":{text[:100]}" if text else "")) from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SendFailed(f"无法连接网关:{_short(reason)}") from e


class SmsSender(Sender):
    """A POST to JIESU_SMS_URL; the body is JIESU_SMS_TEMPLATE with its placeholders filled
    in value by value (so a quote in a text never breaks the JSON)."""

    channel = Channel.SMS

    def address(self, delivery):
        if not settings.JIESU_SMS_URL:
            raise Unreachable("未配置短信网关")
        pref = getattr(delivery.notification.user, "notify_preference", None)
        mobile = pref.mobile if pref else ""
        if not mobile:
            raise Unreachable("未填写手机号")
        return mobile

    def send(self, delivery):
        to = self.address(delivery)
        values = {
            "mobile": to,
            "text": outside_text(delivery),
            "apikey": settings.JIESU_SMS_KEY,
            "request_id": delivery.key,
        }
        try:
            template = json.loads(settings.JIESU_SMS_TEMPLATE)
        except ValueError as e:
            raise SendFailed("短信模板不是有效的 JSON") from e
        body = _fill(template, values)
        if settings.JIESU_SMS_FORMAT == "form":
            data = urllib.parse.urlencode(body).encode()
            _post(settings.JIESU_SMS_URL, data, "application/x-www-form-urlencoded")
        else:
            data = json.dumps(body, ensure_ascii=False).encode()
            _post(settings.JIESU_SMS_URL, data, "application/json; charset=utf-8")
        return to


def _fill(value, values: dict):
    if isinstance(value, str):
        for name, filled in values.items():
            value = value.replace("{" + name + "}", filled)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


class WebhookSender(Sender):
    """The group robot (WeCom-style): {"msgtype": "text", "text": {"content": …}}; a reply
    with a non-zero errcode is a failure."""

    channel = Channel.WEBHOOK

    def address(self, delivery):
        if not settings.JIESU_WEBHOOK_URL:
            raise Unreachable("未配置企业微信群机器人")
        return "群机器人"

    def send(self, delivery):
        to = self.address(delivery)
        user = delivery.notification.user
        name = user.get_full_name() or user.username
        content = f"@{name} {outside_text(delivery)}"
        body = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False)
        reply = _post(settings.JIESU_WEBHOOK_URL, body.encode(), "application/json; charset=utf-8")
        try:
            answer = json.loads(reply) if reply.strip() else {}
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
            raise SendFailed(
                f"群机器人返回错误 {answer.get('errcode')}:{answer.get('errmsg', '')}"[:150]
            )
        return to


SENDERS: dict[str, Sender] = {s.channel: s for s in (EmailSender(), SmsSender(), WebhookSender())}
