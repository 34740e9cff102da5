"""Chasing and telling (督办与提醒): the chase rule in force, the marks that make each
automatic step happen once, and the notifications people read."""

import datetime as dt

from django.conf import settings
from django.db import models

from jiesu.core.scoping import Scope, ScopedQuerySet
from jiesu.core.versioned import EffectiveDated
from jiesu.org.models import HANDLER_ROLES, Role


class ChaseRule(EffectiveDated):
    """When the worker reminds and sums up (versioned: a change applies from its day on).
    The 催办 nodes themselves are the time-limit policy's (cases.DeadlinePolicy's
    督办节点), the one place they are set."""

    remind_hours = models.PositiveIntegerField(
        "到期前提醒(小时)", default=4, help_text="办结时限前多少小时提醒承办单位;0 为不提醒"
    )
    digest_at = models.TimeField("每日汇总时间", default=dt.time(8, 30))
    lookback_hours = models.PositiveIntegerField(
        "补发时限(小时)",
        default=24,
        help_text="后台任务停止后恢复时,补发多少小时内错过的催办和提醒",
    )

    class Meta(EffectiveDated.Meta):
        verbose_name = verbose_name_plural = "催办与提醒规则"


class Kind(models.TextChoices):
    URGE = "urge", "自动催办"
    DUE_SOON = "due_soon", "临期提醒"
    OVERDUE = "overdue", "超期升级"
    DIGEST = "digest", "每日汇总"
    ORDER = "order", "督办转办"
    ORDER_CHASE = "order_chase", "督办催报"
    APPROVAL = "approval", "待审批"
    HANDOVER = "handover", "交接班"


URGENT_KINDS = frozenset({Kind.OVERDUE})


class Notification(models.Model):
    """One message to one person. `key` names the event it tells of; (key, user) is
    unique, so an event is told to a person once however many workers see it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField("内容", max_length=500)  # never personal data
    urgent = models.BooleanField("紧急", default=False)
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "user"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user"),
            models.Index(
                fields=["user"], name="notification_unread", condition=models.Q(read_at=None)
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class ChaseMark(models.Model):
    """That an automatic step was taken: one row per (case, kind, node, since), inserted
    in the step's transaction, so each is taken once however many workers run. `since` is
    the moment the clock ran from (the dispatch for 催办, the due time for reminders), so a
    redispatch or an extension starts the steps again."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    node = models.PositiveIntegerField(default=0)  # hours
    since = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "node", "since"], name="chase_mark_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id} {self.node}"


# --- sending outside the platform (站外通知) ------------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WEBHOOK = "webhook", "企业微信群"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"


class Delivery(models.Model):
    """One notification sent on one channel. (notification, channel) is unique: the
    idempotency key per event, person and channel. A worker takes a row by a conditional
    UPDATE (pending → sending), so two workers never send it twice; each attempt is
    appended to `tries`."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name="通知"
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    status = models.CharField(
        "状态", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_try_at = models.DateTimeField("下次发送时间")
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    to = models.CharField("发往", max_length=254, blank=True)
    last_error = models.CharField("最近错误", max_length=200, blank=True)
    tries = models.JSONField("发送记录", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站外通知发送"
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_try_at"],
                name="delivery_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display()}"

    @property
    def key(self) -> str:
        """The idempotency key a gateway may use to drop a repeat."""
        return f"jiesu-{self.notification_id}-{self.channel}"


class Preference(models.Model):
    """How a person wants to be told outside the platform. No row: e-mail only, every kind,
    no quiet hours. Quiet hours hold back non-urgent kinds (they go out when the quiet
    hours end); urgent ones go at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email_on = models.BooleanField("电子邮件", default=True)
    sms_on = models.BooleanField("短信", default=False)
    webhook_on = models.BooleanField("企业微信群", default=False)
    kinds_off = models.JSONField("不发站外通知的类型", default=list, blank=True)
    quiet_from = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_to = models.TimeField("免打扰结束", null=True, blank=True)
    mobile = models.CharField("手机号(接收短信)", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return str(self.user)

    def channels(self) -> list[str]:
        on = (
            (Channel.EMAIL, self.email_on),
            (Channel.SMS, self.sms_on),
            (Channel.WEBHOOK, self.webhook_on),
        )
        return [c for c, yes in on if yes]


# --- 督办单: supervision orders from the city or district ----------------------------------

# Who reads a street's orders: its desk and the district's 督办 (granted on the street or
# above it). The desk records, forwards and chases them (supervision.orders).
ORDER_ROLES = frozenset({Role.LEADER, Role.OPERATOR, Role.SUPERVISOR})
# Who writes a unit's answer: the unit's handlers.
ANSWER_ROLES = frozenset(HANDLER_ROLES)


class OrderSource(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区级"


class OrderStatus(models.TextChoices):
    NEW = "new", "待转办"
    FORWARDED = "forwarded", "待答复"
    ANSWERED = "answered", "已全部答复"


class SupervisionOrder(models.Model):
    """One 督办单 from the city or district centre: the cases it names, what it demands
    and when the answers are due; forwarded to the units concerned, one answer each."""

    number = models.CharField("督办单号", max_length=40)
    source = models.CharField("来源", max_length=16, choices=OrderSource.choices)
    received_at = models.DateTimeField("收到时间")
    demand = models.TextField("督办要求")
    answer_due_at = models.DateTimeField("答复时限")
    street = models.ForeignKey(
        "org.Unit", verbose_name="街道(乡镇)", on_delete=models.PROTECT, related_name="+"
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name="督办工单", related_name="supervision_orders"
    )
    status = models.CharField(
        "状态", max_length=16, choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间")
    forwarded_at = models.DateTimeField("转办时间", null=True, blank=True)
    summarized_at = models.DateTimeField("首次导出汇总时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(unit="street", roles={"view": ORDER_ROLES})

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="order_number_once"),
        ]
        indexes = [models.Index(fields=["street", "-received_at"], name="order_street")]

    def __str__(self) -> str:
        return f"{self.get_source_display()}督办 {self.number}"


class OrderAnswer(models.Model):
    """One unit's answer to an order: made empty when the order is forwarded to the unit,
    written by the unit's handlers on the order's answer page."""

    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.CASCADE, related_name="answers", verbose_name="督办单"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("答复内容", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    forwarded_at = models.DateTimeField("转办时间")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(unit="unit", roles={"answer": ANSWER_ROLES})

    class Meta:
        verbose_name = verbose_name_plural = "督办答复"
        ordering = ["order", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["order", "unit"], name="order_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.unit}"

    @property
    def late(self) -> bool:
        """Answered after the order's deadline."""
        return self.answered_at is not None and self.answered_at > self.order.answer_due_at
