"""The case (工单), its timeline, attachments, categories, tags and deadline policy."""

import datetime as dt

from django.conf import settings
from django.db import models

from jiesu.core.masking import mask_text, own_data
from jiesu.core.scoping import ANY_ROLE, Scope, ScopedQuerySet
from jiesu.core.versioned import EffectiveDated
from jiesu.org.models import PII_ROLES


class State(models.TextChoices):
    RECEIVED = "received", "待签收"
    ACCEPTED = "accepted", "已签收(待派单)"
    RETURNED = "returned", "已退回"
    DISPATCHED = "dispatched", "办理中"
    REPLIED = "replied", "待审核"
    CLOSED = "closed", "已办结"
    SHELVED = "shelved", "挂账"


# A case is open until it is closed (or returned to the platform); a shelved case is open but
# its clock is stopped, so the queues and lamps look at the running states only.
RUNNING_STATES = (State.RECEIVED, State.ACCEPTED, State.DISPATCHED, State.REPLIED)
OPEN_STATES = (*RUNNING_STATES, State.SHELVED)


class Platform(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区级"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网络"
    LEADER_BOARD = "leader_board", "人民网领导留言板"
    GOV_WEBSITE = "gov_website", "政务服务网"
    OPINION = "opinion", "网络舆情"
    HOTLINE_96181 = "96181", "96181热线"
    MANUAL = "manual", "手工录入"


class RequestType(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "紧急(2小时)"
    UTILITY = "utility", "水电气热(24小时)"
    ORDINARY = "ordinary", "一般(7天)"
    COMPLEX = "complex", "复杂(15天)"


class EvaluationType(models.TextChoices):
    NOT_ASSESSED = "none", "不纳入考核"
    RESPONSE_ONLY = "response", "只评响应率"
    FULL = "full", "三率全考核"


class Lamp(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯(临期)"
    RED = "red", "红灯(超期)"
    NONE = "none", "—"


class Solved(models.TextChoices):
    SOLVED = "solved", "解决"
    PARTLY = "partly", "部分解决"
    UNSOLVED = "unsolved", "未解决"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNRATED = "unrated", "未评价"


class DayMode(models.TextChoices):
    NATURAL = "natural", "自然日"
    WORKING = "working", "工作日"


class Category(models.Model):
    """Three-level problem classification (问题分类 一级->二级->三级)."""

    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级分类",
    )
    level = models.PositiveSmallIntegerField(editable=False, default=1)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    full_name = models.CharField(max_length=200, editable=False, blank=True)
    unconfirmed = models.BooleanField(
        "待确认", default=False, help_text="导入时新出现的分类,待管理员确认或合并"
    )
    needs_approval = models.BooleanField(
        "派单须审批", default=False, help_text="此分类及其下级分类的工单,须经组长审批后方可派单"
    )

    class Meta:
        verbose_name = verbose_name_plural = "问题分类"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        self.level = self.parent.level + 1 if self.parent else 1
        self.full_name = f"{self.parent.full_name}->{self.name}" if self.parent else self.name
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            Category.objects.filter(pk=self.pk).update(path=path)


class Tag(models.Model):
    name = models.CharField("名称", max_length=30, unique=True)
    needs_approval = models.BooleanField(
        "派单须审批", default=False, help_text="带此标签的工单,须经组长审批后方可派单"
    )

    class Meta:
        verbose_name = verbose_name_plural = "标签"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A 12345 case at this office; hot fields are kept right by cases.workflow only."""

    platform = models.CharField("来源平台", max_length=16, choices=Platform.choices)
    platform_no = models.CharField("工单编号", max_length=40)
    channel = models.CharField(
        "渠道", max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    request_type = models.CharField("诉求类型", max_length=16, choices=RequestType.choices)
    urgency = models.CharField(
        "紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.ORDINARY
    )
    category = models.ForeignKey(
        Category, verbose_name="问题分类", null=True, blank=True, on_delete=models.PROTECT
    )
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True)
    # Enumerated values as the source wrote them when they were not a standard label
    # ({"request_type": "投诉举报", "urgency": "特急", ...}); the standard fields hold the
    # mapped value.
    source_labels = models.JSONField("原始标签", default=dict, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("主要内容")

    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("来电人电话", max_length=30, blank=True)
    caller_account = models.CharField("来电人账号", max_length=60, blank=True)
    # Search by phone without the number in a query: a keyed digest of the whole number
    # and its last four digits (see cases/search.py).
    caller_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    caller_phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    address = models.CharField("详细地址", max_length=200, blank=True)
    location = models.CharField("小区点位/问题点位", max_length=100, blank=True)
    company_name = models.CharField("企业名称", max_length=100, blank=True)

    district = models.ForeignKey(
        "org.Unit", verbose_name="被反映区", on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "org.Unit",
        verbose_name="被反映街乡镇",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "org.Unit",
        verbose_name="村/社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    received_at = models.DateTimeField("来电时间", db_index=True)
    limit_hours = models.PositiveIntegerField("办理时限(小时)", null=True, blank=True)
    limit_days = models.PositiveIntegerField("办理时限(天)", null=True, blank=True)
    platform_due_at = models.DateTimeField("平台截止时间", null=True, blank=True)

    sign_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    return_due_at = models.DateTimeField("退回时限", null=True, blank=True)
    dispatch_due_at = models.DateTimeField("派单时限", null=True, blank=True)
    due_at = models.DateTimeField("办结时限", null=True, blank=True)
    original_due_at = models.DateTimeField("原办结时限", null=True, blank=True)
    unit_due_at = models.DateTimeField("承办单位办理时限", null=True, blank=True)
    current_due_at = models.DateTimeField("当前环节时限", null=True, blank=True)
    current_stage_start = models.DateTimeField(null=True, blank=True, editable=False)
    current_warn_at = models.DateTimeField("临期提醒时间", null=True, blank=True, editable=False)
    lamp = models.CharField("警示灯", max_length=8, choices=Lamp.choices, default=Lamp.GREEN)
    due_unscheduled = models.BooleanField(
        "时限落在未发布官方日历的年份",
        default=False,
        help_text="按工作日计算的时限落在尚未录入国务院放假安排的年份,按周末推算,仅供参考。",
    )

    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.RECEIVED)
    version = models.PositiveIntegerField(default=0, editable=False)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    contacted_at = models.DateTimeField("首次联系时间", null=True, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name="协办单位", blank=True, related_name="co_cases"
    )
    special = models.CharField(
        "特殊工单", max_length=30, blank=True, help_text="如:群体性诉求;须经组长审批后派单"
    )
    dispatch_approved = models.BooleanField("派单已审批", default=False)
    extension_requested_until = models.DateTimeField("申请延期至", null=True, blank=True)
    reply = models.JSONField("最新办理结果", default=dict, blank=True)

    evaluation_type = models.CharField(
        "考核类型", max_length=16, choices=EvaluationType.choices, default=EvaluationType.FULL
    )
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    awaiting_callback_at = models.DateTimeField(
        "待回访起始时间",
        null=True,
        blank=True,
        editable=False,
        help_text="已办结、纳入考核、尚未回访的工单:办结时间;其余为空",
    )
    callback_valid = models.BooleanField("是否有效回访", null=True, blank=True)
    callback_contacted = models.BooleanField("是否联系", null=True, blank=True)
    callback_solved = models.CharField(
        "是否解决", max_length=16, choices=Solved.choices, blank=True
    )
    callback_satisfaction = models.CharField(
        "是否满意", max_length=16, choices=Satisfaction.choices, blank=True
    )
    first_callback = models.JSONField("首次平台回访结果", default=dict, blank=True)
    precallback = models.JSONField("预回访结果", default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # reached through its district, street, lead unit or co-units (org.access.Reach)
    scope = Scope(case="", roles={"view": ANY_ROLE, "reveal": PII_ROLES})

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_no"], name="case_platform_no")
        ]
        indexes = [
            models.Index(fields=["state", "current_due_at"], name="case_queue"),
            models.Index(fields=["street", "state", "current_due_at"], name="case_street_queue"),
            models.Index(fields=["lead_unit", "state"], name="case_lead_state"),
            models.Index(fields=["lamp", "state"], name="case_lamp"),
            models.Index(fields=["street", "awaiting_callback_at"], name="case_awaiting_callback"),
            # On PostgreSQL the (street or district, received_at or closed_at) indexes also
            # carry the columns the period scores count by (INCLUDE, migration 0015): the
            # scores (assessment.queries.scores) read only them
            models.Index(fields=["street", "received_at"], name="case_street_received"),
            models.Index(fields=["district", "received_at"], name="case_district_received"),
            models.Index(fields=["caller_phone", "received_at"], name="case_caller_received"),
            # 办结量 counts by closing time (assessment.queries)
            models.Index(fields=["street", "closed_at"], name="case_street_closed"),
            models.Index(fields=["district", "closed_at"], name="case_district_closed"),
            # the dashboard's open cases of a district (a street's: case_street_queue)
            models.Index(
                fields=["district", "state", "current_due_at"], name="case_district_queue"
            ),
            models.Index(fields=["caller_phone_digest"], name="case_phone_digest"),
            models.Index(fields=["caller_phone_tail", "received_at"], name="case_phone_tail"),
        ]

    def __str__(self) -> str:
        # shown in the admin and kept in the audit log: never a number written into the title
        return f"{self.platform_no} {mask_text(self.title, own_data(self))}"

    def save(self, *args, **kwargs):
        from jiesu.cases.search import phone_keys  # cases.search imports this module

        self.caller_phone_digest, self.caller_phone_tail = phone_keys(self.caller_phone)
        fields = kwargs.get("update_fields")
        if fields is not None and "caller_phone" in fields:
            kwargs["update_fields"] = {*fields, "caller_phone_digest", "caller_phone_tail"}
        super().save(*args, **kwargs)

    def urgency_text(self) -> str:
        """紧急程度 as the case page shows it: the default limit in the label only applies
        when the case has no limit of its own."""
        label = self.get_urgency_display()
        if self.platform_due_at:
            return f"{label.split('(')[0]}(平台截止时间)"
        if self.limit_hours:
            return f"{label.split('(')[0]}({self.limit_hours}小时)"
        if self.limit_days:
            return f"{label.split('(')[0]}({self.limit_days}天)"
        return label


class CaseEvent(models.Model):
    """Append-only timeline row: who did what to the case, when, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    action = models.CharField("动作", max_length=24)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    reason = models.TextField("原因/说明", blank=True)
    payload = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(case="case")  # reached when its case is

    class Meta:
        verbose_name = verbose_name_plural = "工单流转记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="event_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


def attachment_path(instance, filename):
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(EffectiveDated):
    """Local time-limit policy, versioned: the row in force is the newest effective one
    (core.versioned)."""

    DEFAULT_SUPERVISION_HOURS = (2, 24, 168)

    sign_minutes = models.PositiveIntegerField("签收时限(分钟)", default=30)
    dispatch_minutes = models.PositiveIntegerField("派单时限(分钟)", default=60)
    return_minutes = models.PositiveIntegerField("退回时限(分钟)", default=120)
    supervision_hours = models.JSONField("督办节点(小时)", default=list)
    emergency_hours = models.PositiveIntegerField("紧急诉求时限(小时)", default=2)
    utility_hours = models.PositiveIntegerField("水电气热时限(小时)", default=24)
    ordinary_days = models.PositiveIntegerField("一般诉求时限(天)", default=7)
    complex_days = models.PositiveIntegerField("复杂诉求时限(天)", default=15)
    due_soon_share = models.DecimalField("临期比例", max_digits=3, decimal_places=2, default=0.75)
    day_mode = models.CharField(
        "天数计算方式", max_length=8, choices=DayMode.choices, default=DayMode.NATURAL
    )

    class Meta(EffectiveDated.Meta):
        verbose_name = verbose_name_plural = "时限设置"

    @classmethod
    def before_any(cls):
        return cls(
            effective_from=dt.date.min, supervision_hours=list(cls.DEFAULT_SUPERVISION_HOURS)
        )


class PhoneSearchKey(models.Model):
    """The key of the callers' phone digests (cases.search). The database draws it itself,
    so it is in no SQL text, and it travels with the cases in every backup."""

    key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "电话检索密钥"

    def __str__(self) -> str:
        return "电话检索密钥"


class CaseSearch(models.Model):
    """The searchable words of a case (see cases.search); kept in step by the indexer."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")
    tokens = models.TextField()

    class Meta:
        verbose_name = verbose_name_plural = "全文检索索引"

    def __str__(self) -> str:
        return f"检索索引 {self.case_id}"
