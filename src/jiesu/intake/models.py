"""Spreadsheet imports: each run, each row as it came (for audit), and saved column maps."""

from django.conf import settings
from django.db import models

from jiesu.cases.models import Platform
from jiesu.core.scoping import Scope, ScopedQuerySet
from jiesu.org.access import DESK_ROLES
from jiesu.org.models import Role


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ImportRun(models.Model):
    platform = models.CharField("来源平台", max_length=16, choices=Platform.choices)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    street = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    message = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    failed = models.PositiveIntegerField("失败", default=0)
    # Rows imported with a warning: a label nobody mapped, a value left out or shortened.
    warned = models.PositiveIntegerField("有提示", default=0)
    # Labels nobody mapped, as written, with the rows that carried them:
    # {"request_type": {"民生诉求": 12}, "category": {"城市管理->新分类": 3}}.
    unknown_labels = models.JSONField("未识别的值", default=dict, blank=True)
    errors_file = models.CharField(max_length=300, blank=True)
    # The uploaded file, relative to MEDIA_ROOT, until the retention period removes it.
    upload = models.CharField(max_length=300, blank=True)
    upload_removed_at = models.DateTimeField("上传文件删除时间", null=True, blank=True)
    # The process running the import, so a run whose process died can be told from a slow one.
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # The street's desk (坐席员, 组长) sees its imports.
    scope = Scope(unit="street", roles={"view": DESK_ROLES})

    class Meta:
        verbose_name = verbose_name_plural = "导入记录"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status"], name="import_run_status")]

    def __str__(self) -> str:
        return f"{self.file_name}({self.get_status_display()})"

    def summary(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "warned": self.warned,
            "unknown_labels": self.unknown_labels,
            "errors_file": self.errors_file or None,
        }


class RowOutcome(models.TextChoices):
    CREATED = "created", "新增"
    UPDATED = "updated", "更新"
    UNCHANGED = "unchanged", "未变化"
    FAILED = "failed", "失败"


class ImportRow(models.Model):
    """One spreadsheet row exactly as it came, and what became of it."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    platform_no = models.CharField(max_length=40, blank=True)
    raw = models.JSONField()
    outcome = models.CharField(max_length=16, choices=RowOutcome.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入行"
        indexes = [models.Index(fields=["run", "row_number"], name="import_row_run")]

    def __str__(self) -> str:
        return f"第{self.row_number}行 {self.get_outcome_display()}"


class ColumnMapping(models.Model):
    """A platform's header that jiesu does not know, mapped to a case field, for one street.

    A mapping without a street is one saved before mappings belonged to streets, on a
    system with several: it still applies to every street's imports and only the
    administrator sees it (Django admin)."""

    street = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    platform = models.CharField("来源平台", max_length=16, choices=Platform.choices)
    header = models.CharField("表头", max_length=100)
    field = models.CharField("对应字段", max_length=40)

    objects = ScopedQuerySet.as_manager()
    # The street's desk keeps its column mappings; one without a street only the admin sees.
    scope = Scope(unit="street", roles={"view": DESK_ROLES})

    class Meta:
        verbose_name = verbose_name_plural = "导入列映射"
        constraints = [
            models.UniqueConstraint(
                fields=["street", "platform", "header"], name="column_mapping_unique"
            ),
            models.UniqueConstraint(
                fields=["platform", "header"],
                condition=models.Q(street__isnull=True),
                name="column_mapping_unique_all_streets",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}:{self.header} → {self.field}"


class ValueSynonym(models.Model):
    """A label a platform writes in an enumerated column (诉求类型 投诉举报, 紧急程度 特急 …)
    and the standard value it means, for one street; beside the built-in ones of
    `intake.labels`, which it overrides."""

    street = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    field = models.CharField("字段", max_length=40)
    label = models.CharField("原始值", max_length=100)
    value = models.CharField("对应标准值", max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # The street's desk sees its value mappings; its 组长 applies and deletes them.
    scope = Scope(unit="street", roles={"view": DESK_ROLES, "change": frozenset({Role.LEADER})})

    class Meta:
        verbose_name = verbose_name_plural = "导入值映射"
        constraints = [
            models.UniqueConstraint(
                fields=["street", "field", "label"], name="value_synonym_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field_label}“{self.label}” → {self.value_label}"

    @property
    def field_label(self) -> str:
        from jiesu.intake.labels import ENUMERATED

        return ENUMERATED[self.field].label if self.field in ENUMERATED else self.field

    @property
    def value_label(self) -> str:
        from jiesu.intake.labels import ENUMERATED

        enum = ENUMERATED.get(self.field)
        return (enum.label_of(self.value) if enum else "") or self.value
