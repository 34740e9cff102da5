"""Reports built in the background (the schedule's, those asked for on the page, large
ledgers) and the office's own Word templates, each upload a new version."""

from django.conf import settings
from django.db import models

from jiesu.core.scoping import Scope, ScopedQuerySet
from jiesu.org.models import Role

# Who reads and orders reports: the data side of the office (the dashboard's readers).
REPORT_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
# Who replaces the Word templates.
TEMPLATE_ROLES = frozenset({Role.ANALYST, Role.ADMIN})


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ReportRun(models.Model):
    """One report (all its formats) or one ledger, built by the worker. A scheduled run
    carries its `schedule_key` (kind, window, unit), unique, so a schedule builds each
    report once however many workers run; any worker claims a queued run by a conditional
    UPDATE of its status."""

    kind = models.CharField("类型", max_length=16)  # daily … meeting, or "ledger"
    title = models.CharField("名称", max_length=200)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    window_name = models.CharField("期间", max_length=40, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    formats = models.JSONField("格式", default=list)
    files = models.JSONField("文件", default=dict, blank=True)  # format → path in MEDIA_ROOT
    schedule_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reveal = models.BooleanField("含个人信息", default=False)
    template = models.ForeignKey(
        "reports.ReportTemplate", null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        "状态", max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Reports are read by the data side of every unit at or above the report's unit; a
    # ledger only by the person who asked for it (reports.jobs.readable).
    scope = Scope(unit="unit", roles={"view": REPORT_ROLES})

    class Meta:
        verbose_name = verbose_name_plural = "报告生成记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status"], name="report_run_status"),
            models.Index(fields=["kind", "-created_at"], name="report_run_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.title}({self.get_status_display()})"

    @property
    def percent(self) -> int | None:
        if not self.total_rows:
            return None
        return min(100, self.done_rows * 100 // self.total_rows)


class ReportTemplate(models.Model):
    """An office's Word template for one kind of report. Uploads never replace: each is a
    new version; the newest active one is used, and any older one may be made current
    again. Without one, the shipped default is used."""

    kind = models.CharField("报告类型", max_length=16)
    version = models.PositiveIntegerField("版本")
    file = models.CharField("文件", max_length=300)  # in MEDIA_ROOT
    original_name = models.CharField("原文件名", max_length=200)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    current = models.BooleanField("当前使用", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "报告模板"
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="report_template_version"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(current=True),
                name="report_template_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"
