"""Cross-cutting tables: the official working-day calendar and its published years, PII
access log, API tokens, password ages."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from jiesu.core.scoping import Scope, ScopedQuerySet


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日(休息)"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    """An admin-entered day that extends or overrides the chinese-calendar library.

    Entering days does not make a year beyond the library officially scheduled: an
    OfficialSchedule row for the year does, once all its days are in.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, blank=True, help_text="如:春节、国庆节调休")

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class OfficialSchedule(models.Model):
    """A year beyond the chinese-calendar library whose official holiday schedule (the State
    Council's notice) an administrator has entered in full and marked complete. Until then
    working-day deadlines in that year count weekends only and carry `due_unscheduled`."""

    year = models.PositiveSmallIntegerField(
        "年份",
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    notice = models.CharField(
        "通知名称", max_length=200, help_text="如:国务院办公厅关于2027年部分节假日安排的通知"
    )
    notice_date = models.DateField("通知发布日期")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="标记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField("标记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "官方放假安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年:{self.notice}"

    def clean(self):
        if self.year and not CalendarDay.objects.filter(date__year=self.year).exists():
            raise ValidationError(
                {
                    "year": f"{self.year}年还没有录入任何放假日或调休上班日:请先在“节假日与调休”"
                    "中逐日录入,再标记录入完成。"
                }
            )


class PiiField(models.TextChoices):
    NAME = "caller_name", "来电人"
    PHONE = "caller_phone", "来电人电话"
    ACCOUNT = "caller_account", "来电人账号"
    ADDRESS = "address", "详细地址"
    # free text holding phone, identity-card or bank-card numbers
    TITLE = "title", "标题"
    CONTENT = "content", "主要内容"
    REPLY = "reply", "办理结果"
    NOTES = "notes", "流转记录说明"


class PiiAccess(models.Model):
    """One row per full view of a citizen's personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT)
    field = models.CharField(max_length=32, choices=PiiField.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=8, default="web")

    objects = ScopedQuerySet.as_manager()
    # reached when its case is, by a 组长 or an administrator (role names: core imports no org)
    scope = Scope(case="case", roles={"view": frozenset({"leader", "admin"})})

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.field} {self.at:%Y-%m-%d %H:%M}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


TOKEN_DAYS = 365


class TokenRefused(Exception):
    """A known token that may no longer be used; the message is for the client."""


def token_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for other systems; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至", default=token_expiry)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的接口令牌"

    @classmethod
    def user_for(cls, raw: str):
        """The active user of a usable token, marking the token used; None for no such token.

        Raises TokenRefused for a revoked or expired token.
        """
        row = cls.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.revoked_at is not None:
            raise TokenRefused("接口令牌已被吊销,请联系系统管理员重新签发。")
        if row.expires_at <= now:
            raise TokenRefused("接口令牌已过期,请联系系统管理员重新签发。")
        cls.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user

    @classmethod
    def issue(cls, user, *, days: int = TOKEN_DAYS) -> str:
        raw = "js_" + secrets.token_urlsafe(32)
        expires_at = timezone.now() + dt.timedelta(days=days)
        cls.objects.create(user=user, key_hash=hash_token(raw), expires_at=expires_at)
        return raw


class PasswordState(models.Model):
    """When a user last changed their password, and whether they must change it now.

    A user without a row counts from `date_joined`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_state",
        verbose_name="用户",
    )
    changed_at = models.DateTimeField("最近修改密码", default=timezone.now)
    must_change = models.BooleanField(
        "下次登录须修改密码", default=False, help_text="为用户设置临时密码后勾选。"
    )

    class Meta:
        verbose_name = verbose_name_plural = "密码状态"

    def __str__(self) -> str:
        return f"{self.user} 的密码"
