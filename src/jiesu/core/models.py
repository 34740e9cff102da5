"""Cross-cutting tables: the official working-day calendar, PII access log, API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日(休息)"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    """An admin-entered day that extends or overrides the chinese-calendar library.

    Entering any day of a year marks that year's official schedule as loaded.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, blank=True, help_text="如:春节、国庆节调休")

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class PiiField(models.TextChoices):
    NAME = "caller_name", "来电人"
    PHONE = "caller_phone", "来电人电话"
    ACCOUNT = "caller_account", "来电人账号"
    ADDRESS = "address", "详细地址"


class PiiAccess(models.Model):
    """One row per full view of a citizen's personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT)
    field = models.CharField(max_length=32, choices=PiiField.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=8, default="web")

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.field} {self.at:%Y-%m-%d %H:%M}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for other systems; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的接口令牌"

    @classmethod
    def issue(cls, user) -> str:
        raw = "js_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=hash_token(raw))
        return raw
