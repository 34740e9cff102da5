"""Operations records: each backup's outcome and each worker's last sign of life."""

from django.db import models
from django.db.models import Q


class BackupKind(models.TextChoices):
    DAILY = "daily", "每日自动备份"
    MANUAL = "manual", "手动备份"


class BackupStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    DONE = "done", "成功"
    FAILED = "failed", "失败"


class BackupRecord(models.Model):
    """One backup run; a daily one is claimed by the row for its day, so two workers never
    both back up the same day."""

    kind = models.CharField("类型", max_length=10, choices=BackupKind.choices)
    day = models.DateField("日期", null=True, blank=True)
    status = models.CharField("结果", max_length=10, choices=BackupStatus.choices)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file_name = models.CharField("备份文件", max_length=200, blank=True)
    size = models.BigIntegerField("大小(字节)", null=True, blank=True)
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "备份记录"
        constraints = [
            models.UniqueConstraint(
                fields=["day"], condition=Q(kind="daily"), name="ops_one_daily_backup_per_day"
            )
        ]
        indexes = [models.Index(fields=["status", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class WorkerHeartbeat(models.Model):
    """The last loop of the worker on one machine."""

    host = models.CharField("主机", max_length=200, unique=True)
    pid = models.PositiveIntegerField("进程号")
    last_seen = models.DateTimeField("最近运行")

    class Meta:
        verbose_name = verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.host} {self.last_seen:%Y-%m-%d %H:%M:%S}"
