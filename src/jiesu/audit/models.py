"""The security audit log (安全审计): one append-only, hash-chained table."""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账号锁定"
    LOGOUT = "logout", "退出"
    REVEAL = "reveal", "查看个人信息"
    EXPORT = "export", "导出"
    CONFIG_CREATE = "config_create", "新增设置"
    CONFIG_UPDATE = "config_update", "修改设置"
    CONFIG_DELETE = "config_delete", "删除设置"
    PASSWORD_CHANGE = "password_change", "修改密码"
    TOKEN_CREATE = "token_create", "签发接口令牌"
    ALERT = "alert", "异常告警"
    OTP_OK = "otp_ok", "动态口令验证通过"
    OTP_FAILED = "otp_failed", "动态口令错误"
    OTP_ENROLLED = "otp_enrolled", "启用动态口令"
    OTP_RESET = "otp_reset", "重置动态口令"
    UNLOCK = "unlock", "解除登录锁定"
    DEADLINE_OVERRIDE = "deadline_override", "逾期特批"


class AuditRefused(Exception):
    """An attempt to change or delete an audit row."""


class AuditEvent(models.Model):
    """One audited event. `id` is gapless (1, 2, 3 …) and `hash` covers every field and the
    previous row's hash, so a changed, removed or inserted row breaks the chain."""

    id = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间", db_index=True)
    # No database constraint: a user may be deleted, the row keeps their id and name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField("用户名", max_length=150, blank=True)
    actor_roles = models.CharField("岗位", max_length=300, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    kind = models.CharField("事件", max_length=32, choices=Kind.choices)
    target_type = models.CharField("对象类型", max_length=100, blank=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "安全审计日志"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor", "id"], name="audit_actor_id"),
            models.Index(fields=["kind", "id"], name="audit_kind_id"),
            models.Index(fields=["ip", "id"], name="audit_ip_id"),
            models.Index(fields=["actor_username", "id"], name="audit_username_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRefused("审计日志只能追加,不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRefused("审计日志不能删除。")
