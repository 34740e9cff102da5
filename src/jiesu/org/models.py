"""Organisation: the unit tree (区 → 街乡镇 → 科室/社区/村/企业), people and their roles."""

from django.conf import settings
from django.db import models


class UnitKind(models.TextChoices):
    DISTRICT = "district", "区"
    STREET = "street", "街乡镇"
    OFFICE = "office", "科室"
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "村"
    COMPANY = "company", "企业"


HANDLING_KINDS = (UnitKind.OFFICE, UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.COMPANY)


class Unit(models.Model):
    """A node of the unit tree; `path` ("/1/5/12/") makes a subtree one prefix query."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices)
    code = models.CharField("区划代码", max_length=20, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    pinyin_initials = models.CharField("拼音首字母", max_length=100, blank=True, editable=False)
    active = models.BooleanField("启用", default=True)
    unconfirmed = models.BooleanField(
        "待确认", default=False, help_text="导入时新出现的社区/村,待管理员确认或合并"
    )

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from pypinyin import Style, lazy_pinyin

        self.pinyin_initials = "".join(lazy_pinyin(self.name, style=Style.FIRST_LETTER)).lower()
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            Unit.objects.filter(pk=self.pk).update(path=path)

    def subtree(self):
        return Unit.objects.filter(path__startswith=self.path)

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    LEADER = "leader", "组长"
    OPERATOR = "operator", "坐席员"
    REVIEWER = "reviewer", "审核员"
    ANALYST = "analyst", "数据专员"
    OFFICE_HANDLER = "office_handler", "科室承办人"
    COMMUNITY_HANDLER = "community_handler", "社区/村承办人"
    SUPERVISOR = "supervisor", "区级督办"
    EXEMPTION = "exemption", "剔除专员"


HANDLER_ROLES = frozenset({Role.OFFICE_HANDLER, Role.COMMUNITY_HANDLER})
# Roles that may see a citizen's name, phone, account and address in full, on request:
# the desk calls citizens back and the handling units must contact them.
PII_ROLES = frozenset({Role.LEADER, Role.OPERATOR, Role.OFFICE_HANDLER, Role.COMMUNITY_HANDLER})


class Membership(models.Model):
    """Gives a person a role on a unit and everything below it: always, or from
    `valid_from` until `valid_to` (a roster shift, a temporary cover). Outside its period
    a grant reaches nothing (org.access)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="人员",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    valid_from = models.DateTimeField(
        "生效时间", null=True, blank=True, help_text="留空表示立即生效"
    )
    valid_to = models.DateTimeField("失效时间", null=True, blank=True, help_text="留空表示长期有效")

    class Meta:
        verbose_name = verbose_name_plural = "岗位"
        constraints = [
            # one standing grant per person, unit and role; timed grants (shifts) may repeat
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=models.Q(valid_from__isnull=True, valid_to__isnull=True),
                name="membership_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lt=models.F("valid_to")),
                name="membership_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class Shift(models.Model):
    """A shift of the desk (班次): the contracts' 白班 08:30–18:00 and 夜班 17:30–09:00 (the
    next morning), overlapping half an hour each end for the handover."""

    name = models.CharField("班次", max_length=20, unique=True)
    starts = models.TimeField("开始")
    ends = models.TimeField("结束", help_text="早于开始时间表示次日")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "班次"
        ordering = ["order", "starts"]

    def __str__(self) -> str:
        return (
            f"{self.name} {self.starts:%H:%M}–{'次日' if self.overnight else ''}{self.ends:%H:%M}"
        )

    @property
    def overnight(self) -> bool:
        return self.ends <= self.starts


class DutyAssignment(models.Model):
    """One person on one shift of one day (排班). Its grant is a Membership valid for the
    shift's hours, made and removed with it (org.roster), so a night operator's queue is
    the night's."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)
    day = models.DateField("日期")
    shift = models.ForeignKey(Shift, verbose_name="班次", on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField("岗位", max_length=32, choices=Role.choices)
    starts_at = models.DateTimeField("上班时间")
    ends_at = models.DateTimeField("下班时间")
    grant = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="duty"
    )
    note = models.CharField("备注", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排班"
        ordering = ["day", "shift__order", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["day", "shift", "user"], name="duty_once_a_shift")
        ]
        indexes = [models.Index(fields=["unit", "starts_at", "ends_at"], name="duty_when")]

    def __str__(self) -> str:
        return f"{self.day} {self.shift.name} {self.user}"


class Handover(models.Model):
    """The list one shift hands to the next (交接班) at `changes_at`, the incoming shift's
    start: what the worker found then (`items`: red and yellow cases, approvals waiting,
    督办 answers due), the outgoing shift's notes, and who of the incoming shift took it."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)
    changes_at = models.DateTimeField("交接时间")
    shift_in = models.ForeignKey(
        Shift, verbose_name="接班班次", on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField("交班说明", blank=True)
    notes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    items = models.JSONField("交接事项", default=dict, blank=True)
    made_at = models.DateTimeField("生成时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接班确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField("接班确认时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "交接班"
        ordering = ["-changes_at"]
        constraints = [models.UniqueConstraint(fields=["unit", "changes_at"], name="handover_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.changes_at:%Y-%m-%d %H:%M}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"


class DutySwap(models.Model):
    """A request to hand one's shift to a colleague (换班); the 组长 decides, and only
    then does the roster (and the shift's grant) change."""

    duty = models.ForeignKey(DutyAssignment, on_delete=models.CASCADE, related_name="swaps")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="换给", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField("原因", max_length=200)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    asked_at = models.DateTimeField("申请时间")
    status = models.CharField(
        "状态", max_length=10, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "换班申请"
        ordering = ["-asked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty"], condition=models.Q(status="pending"), name="swap_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.duty} → {self.to_user}"


class RotaTemplate(models.Model):
    """A rota the 组长 keeps (轮班模板): for each shift, the people who take it in turn, one a
    day; applied to a span of days it fills the roster (org.roster.apply_rota)."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)
    name = models.CharField("名称", max_length=50)
    role = models.CharField("岗位", max_length=32, choices=Role.choices)
    turns = models.JSONField("轮班", default=dict)  # {shift id: [user id, …]} in turn order

    class Meta:
        verbose_name = verbose_name_plural = "轮班模板"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="rota_name_once")]

    def __str__(self) -> str:
        return self.name


class DutyPeriod(models.Model):
    """A key period with its own duty (重点时期值守: 两会, 春节…): its days are marked on the
    roster and the line of who is on duty names it."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)
    name = models.CharField("名称", max_length=50)
    first_day = models.DateField("开始日期")
    last_day = models.DateField("结束日期")
    note = models.CharField("值守要求", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点时期值守"
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")), name="duty_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.first_day}至{self.last_day})"
