"""Completeness check of a unit's reply: missing parts and contradictions. It runs when the
unit submits the reply (the reply form holds it back) and again when the reviewer reads it."""

import datetime as dt
import re
from dataclasses import dataclass

from jiesu.cases.workflow import REPLY_PARTS

# Words that say nothing about what was done, compared without surrounding punctuation.
EMPTY_WORDS = {
    "无",
    "没有",
    "暂无",
    "暂时没有",
    "无措施",
    "暂无措施",
    "没有措施",
    "未采取措施",
    "已处理",
    "已办理",
    "处理",
    "已办",
    "同上",
    "见上",
    "略",
    "不详",
    "空",
    "n/a",
    "na",
    "none",
}
# Punctuation around a placeholder ("无。", "/ ") and the whole of one ("/", "——", "……").
PUNCTUATION = " \t\r\n。.,,;;::!!??、…/／\\-—_·*"
SOLVED = re.compile(r"已解决|已经解决|问题解决|已办结|已完成|已整改|已修复|已清理")
NOT_SOLVED = re.compile(r"未解决|没有解决|尚未|无法解决|不能解决|正在|协调中|推进中")
UNHAPPY = re.compile(r"不满意|不认可|不同意|仍有意见|要求继续|表示不满|未解决|没有解决|没解决")
MIN_CHARS = 6
# A phone whose clock runs a little ahead is not a contact time in the future.
CLOCK_SLACK = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Finding:
    part: str
    label: str
    message: str
    severe: bool = True


def _text(reply: dict, part: str) -> str:
    return str(reply.get(part) or "").strip()


def is_placeholder(value: str) -> bool:
    """Whether a part says nothing: "无", "暂无。", "/", "——" and the like."""
    bare = value.strip(PUNCTUATION).lower()
    return not bare or bare in EMPTY_WORDS


def _moment(value) -> dt.datetime | None:
    """The contact time as stored (ISO text) or as submitted (a datetime)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value) if value else None


def check_reply(case, reply: dict | None = None, *, at: dt.datetime | None = None) -> list[Finding]:
    """What should be put right before the reply is approved; an empty list means nothing
    found. `reply` and `at` check a reply being submitted (its parts and the submission
    time); by default the case's stored reply and its reply time are checked."""
    reply = (case.reply or {}) if reply is None else reply
    submitted = at or case.replied_at
    found: list[Finding] = []
    for part, label in REPLY_PARTS.items():
        if part == "contact_at":
            if not reply.get(part):
                found.append(Finding(part, label, f"缺少“{label}”。"))
            continue
        value = _text(reply, part)
        if not value:
            found.append(Finding(part, label, f"缺少“{label}”。"))
        elif is_placeholder(value):
            found.append(Finding(part, label, f"“{label}”只写了“{value}”,没有实际内容。"))
        elif part in ("facts", "actions") and len(value) < MIN_CHARS:
            found.append(
                Finding(part, label, f"“{label}”过于简单({len(value)}个字)。", severe=False)
            )

    result, actions = _text(reply, "result"), _text(reply, "actions")
    response = _text(reply, "citizen_response")
    if SOLVED.search(result) and is_placeholder(actions):
        found.append(Finding("actions", "采取措施", "结果写“已解决”,但没有写采取了什么措施。"))
    if SOLVED.search(result) and NOT_SOLVED.search(result):
        found.append(
            Finding(
                "result", "办理结果或进展", "办理结果前后矛盾:既写已解决,又写未解决或正在办理。"
            )
        )
    if SOLVED.search(result) and UNHAPPY.search(response):
        found.append(
            Finding("citizen_response", "诉求人反馈", "结果写“已解决”,但诉求人表示不满意或不认可。")
        )
    if _text(reply, "facts") and _text(reply, "facts") == (case.content or "").strip():
        found.append(Finding("facts", "核实情况", "“核实情况”与诉求内容完全相同,未写核实结果。"))

    when = _moment(reply.get("contact_at"))
    if when is not None:
        if when < case.received_at:
            found.append(Finding("contact_at", "联系时间", "联系时间早于来电时间。"))
        if submitted and when > submitted + CLOCK_SLACK:
            found.append(
                Finding("contact_at", "联系时间", "联系时间晚于提交回复的时间(填成了将来的时间)。")
            )
    return found


def held_back(findings: list[Finding]) -> list[Finding]:
    """The findings that hold a submission back; mild ones only inform the reviewer."""
    return [f for f in findings if f.severe]


def summary(findings: list[Finding]) -> str:
    """One message naming every finding that holds the reply back, and the way out."""
    items = ";".join(f.message.rstrip("。") for f in findings)
    return (
        f"办理结果有{len(findings)}处问题:{items}。请修改后再提交;"
        "如确需按原样提交,请勾选“仍要提交”并填写理由。"
    )


def check_draft(case, parts: dict, *, at: dt.datetime) -> list[Finding]:
    """The findings about the parts filled in so far, for the reply form as it is written."""
    return [f for f in check_reply(case, parts, at=at) if parts.get(f.part)]
