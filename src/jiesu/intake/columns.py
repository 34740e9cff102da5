"""What the platforms' export columns mean: header aliases and value parsing."""

import datetime as dt
import re
import unicodedata

from jiesu.intake import values

# canonical name → headers seen in real exports (domain.md "The case")
ALIASES: dict[str, tuple[str, ...]] = {
    "platform_no": ("工单编号", "工单号", "编号"),
    "request_type": ("诉求类型", "工单类型"),
    "urgency": ("紧急程度", "紧急度", "缓急程度"),
    "channel": ("来源渠道", "来电渠道", "受理渠道", "渠道"),
    "category_path": ("问题分类", "事项分类"),
    "category_1": ("一级分类", "问题分类一级"),
    "category_2": ("二级分类", "问题分类二级"),
    "category_3": ("三级分类", "问题分类三级"),
    "tags": ("标签",),
    "title": ("标题", "工单标题", "诉求标题"),
    "content": ("主要内容", "诉求内容", "来电内容", "问题描述"),
    "platform_state": ("工单状态",),
    "caller_name": ("来电人", "诉求人", "联系人", "来电人姓名"),
    "caller_phone_or_account": ("来电人电话/账号",),
    "caller_phone": ("来电人电话", "联系电话", "来电号码"),
    "caller_account": ("来电人账号",),
    "received_at": ("来电时间", "创建时间", "受理时间"),
    "district": ("被反映区",),
    "street": ("被反映街乡镇", "街乡镇"),
    "community": ("村/社区", "村社区", "社区", "社区/村"),
    "location": ("小区点位/问题点位", "小区点位", "问题点位"),
    "address": ("地址", "详细地址", "问题地址"),
    "company_name": ("企业名称",),
    "platform_lead_unit": ("主办单位",),
    "platform_second_unit": ("二级承办单位",),
    "case_nature": ("工单性质",),
    "handling_way": ("处理受理方式",),
    "due": ("办理时限/截止时间", "截止时间", "办理时限"),
    "platform_result": ("办理结果",),
    "platform_reply": ("回复内容",),
    "platform_closed_at": ("办结时间",),
    "callback_valid": ("是否有效回访",),
    "callback_contacted": ("是否联系",),
    "callback_solved": ("是否解决",),
    "callback_satisfaction": ("是否满意",),
}
LABELS = {name: headers[0] for name, headers in ALIASES.items()}
REQUIRED = ("platform_no", "received_at")
# at least one of these
TEXT = ("title", "content")
# Columns kept only in the audit row: they describe the platform's own handling.
AUDIT_ONLY = {
    "platform_state",
    "platform_lead_unit",
    "platform_second_unit",
    "case_nature",
    "handling_way",
    "platform_result",
    "platform_reply",
    "platform_closed_at",
    "district",
    "street",
}


def normalise_header(header) -> str:
    text = unicodedata.normalize("NFKC", str(header or ""))
    return re.sub(r"[\s*::]", "", text)


_BY_HEADER = {normalise_header(h): name for name, headers in ALIASES.items() for h in headers}


def field_for(header, saved: dict[str, str]) -> str | None:
    key = normalise_header(header)
    return _BY_HEADER.get(key) or saved.get(key)


class BadValue(ValueError):
    """A cell jiesu cannot read; the message is the Chinese reason."""


def parse_datetime(value) -> dt.datetime:
    """A Beijing-time datetime from a cell: a spreadsheet date, or text in the forms
    `intake.values` reads; a date alone is its midnight."""
    when = values.parse_datetime(value, midnight=True)
    if when is None:
        raise BadValue("无法识别的日期时间")
    return when


# The longest limits a platform gives: a year in days, 60 days in hours.
MAX_LIMIT_DAYS = 366
MAX_LIMIT_HOURS = 60 * 24


def parse_due(value) -> dict:
    """办理时限: a deadline (platform_due_at) or a length (limit_days / limit_hours)."""
    span = values.parse_duration(value)
    if span is None:
        return {"platform_due_at": parse_datetime(value)}
    most = MAX_LIMIT_HOURS if span.hours else MAX_LIMIT_DAYS
    if not 1 <= span.amount <= most:
        raise BadValue(f"办理时限应在1至{most}{'小时' if span.hours else '天'}之间")
    return {"limit_hours": span.amount} if span.hours else {"limit_days": span.amount}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def split_phone_or_account(value) -> dict:
    text = str(value).strip()
    return {"caller_phone": text} if values.is_phone_number(text) else {"caller_account": text}


def cell_text(value) -> str:
    """A cell as clean text; NUL and other control characters never reach the database."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).strip()
