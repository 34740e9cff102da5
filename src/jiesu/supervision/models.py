"""Chasing and telling (督办与提醒): the chase rule in force, the marks that make each
automatic step happen once, and the notifications people read."""

import datetime as dt

from django.conf import settings
from django.db import models

from jiesu.core.versioned import EffectiveDated


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
