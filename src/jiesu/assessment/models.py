"""Scoring rules (versioned), exemption grounds and exemption/appeal applications."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from jiesu.core.scoping import Scope, ScopedQuerySet
from jiesu.core.versioned import EffectiveDated
from jiesu.org.models import Role

# The desk files, revises and submits; the 剔除专员 and the 组长 review in between.
APPLICANTS = frozenset({Role.LEADER, Role.OPERATOR, Role.EXEMPTION})
VIEWERS = APPLICANTS | {Role.REVIEWER, Role.ANALYST, Role.SUPERVISOR}


class ScoringRule(EffectiveDated):
    """How the three rates and the composite score are computed, from an effective date
    (core.versioned)."""

    weight_response = models.DecimalField(
        "响应率权重", max_digits=4, decimal_places=3, default=Decimal("0.10")
    )
    weight_resolution = models.DecimalField(
        "解决率权重", max_digits=4, decimal_places=3, default=Decimal("0.50")
    )
    weight_satisfaction = models.DecimalField(
        "满意率权重", max_digits=4, decimal_places=3, default=Decimal("0.40")
    )
    basic_satisfied_coef = models.DecimalField(
        "基本满意系数", max_digits=4, decimal_places=3, default=Decimal("0.9")
    )
    partly_solved_coef = models.DecimalField(
        "部分解决系数", max_digits=4, decimal_places=3, default=Decimal("0")
    )
    response_only_counts = models.BooleanField(
        "“只评响应率”工单计入响应率",
        default=True,
        help_text="只评响应率的工单只进入响应率;三率全考核的工单进入三个率",
    )
    period_start_day = models.PositiveSmallIntegerField(
        "考核周期起始日", default=19, help_text="周期从上月此日 00:00 到本月前一日 24:00"
    )
    daily_window_hour = models.PositiveSmallIntegerField("日报时间窗起点(时)", default=12)
    reopen_on_unsolved = models.BooleanField("平台回访“未解决”时自动重办", default=True)
    reopen_on_unsatisfied = models.BooleanField("平台回访“不满意”时自动重办", default=True)

    class Meta(EffectiveDated.Meta):
        verbose_name = verbose_name_plural = "考核规则"


class ExemptionGround(models.Model):
    """A ground for an exemption or appeal, with its evidence checklist and deadline."""

    name = models.CharField("理由", max_length=100, unique=True)
    checklist = models.JSONField(
        "须提供的证据", default=list, blank=True, help_text='如 ["通话录音", "情况说明"]'
    )
    deadline_days = models.PositiveSmallIntegerField(
        "申请期限(周期结束前天数)", default=3, help_text="须在考核周期结束前几天提交"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "剔除/申诉理由"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ApplicationKind(models.TextChoices):
    EXEMPTION = "exemption", "不纳入考核"
    APPEAL = "appeal", "考核申诉"


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "草稿"
    FIRST_REVIEW = "first_review", "待剔除专员审核"
    SECOND_REVIEW = "second_review", "待组长审核"
    READY = "ready", "待提交平台"
    SUBMITTED = "submitted", "已提交平台"
    PASSED = "passed", "通过"
    REFUSED = "refused", "查否"
    RETURNED = "returned", "已退回修改"


class Application(models.Model):
    """An exemption (不纳入考核) or appeal (考核申诉) for one case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField("类型", max_length=16, choices=ApplicationKind.choices)
    ground = models.ForeignKey(ExemptionGround, verbose_name="理由", on_delete=models.PROTECT)
    explanation = models.TextField("情况说明")
    evidence = models.ManyToManyField("cases.Attachment", verbose_name="证据材料", blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    period = models.CharField("考核周期", max_length=7, help_text="如 2026-10")
    deadline = models.DateTimeField("提交期限")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField("提交平台时间", null=True, blank=True)
    outcome_at = models.DateTimeField("结果时间", null=True, blank=True)
    history = models.JSONField("审核记录", default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    # reached when its case is, by the staff of the case's units (org.access.Reach)
    scope = Scope(case="case", roles={"view": VIEWERS, "apply": APPLICANTS})

    class Meta:
        verbose_name = verbose_name_plural = "剔除/申诉申请"
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["state", "period"], name="application_state_period"),
            # the passed ones' cases, read whole by the period scores (queries.exempted)
            models.Index(fields=["state", "case"], name="application_state_case"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case.platform_no}"
