"""Completeness check of a unit's reply before review: missing parts and contradictions."""

import datetime as dt
import re
from dataclasses import dataclass

from jiesu.cases.workflow import REPLY_PARTS

# Words that say nothing about what was done.
EMPTY_WORDS = {
    "无",
    "没有",
    "暂无",
    "已处理",
    "已办理",
    "处理",
    "已办",
    "同上",
    "见上",
    "略",
    "/",
    "-",
    "—",
}
SOLVED = re.compile(r"已解决|已经解决|问题解决|已办结|已完成|已整改|已修复|已清理")
NOT_SOLVED = re.compile(r"未解决|没有解决|尚未|无法解决|不能解决|正在|协调中|推进中")
UNHAPPY = re.compile(r"不满意|不认可|不同意|仍有意见|要求继续|表示不满")
MIN_CHARS = 6


@dataclass(frozen=True)
class Finding:
    part: str
    label: str
    message: str
    severe: bool = True


def _text(reply: dict, part: str) -> str:
    return str(reply.get(part) or "").strip()


def check_reply(case) -> list[Finding]:
    """What a reviewer should look at before approving; an empty list means nothing found."""
    reply = case.reply or {}
    found: list[Finding] = []
    for part, label in REPLY_PARTS.items():
        value = _text(reply, part)
        if not value:
            found.append(Finding(part, label, f"缺少“{label}”。"))
        elif value in EMPTY_WORDS:
            found.append(Finding(part, label, f"“{label}”只写了“{value}”,没有实际内容。"))
        elif part in ("facts", "actions") and len(value) < MIN_CHARS:
            found.append(
                Finding(part, label, f"“{label}”过于简单({len(value)}个字)。", severe=False)
            )

    result, actions = _text(reply, "result"), _text(reply, "actions")
    response = _text(reply, "citizen_response")
    if SOLVED.search(result) and (not actions or actions in EMPTY_WORDS):
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

    contact_at = reply.get("contact_at")
    if contact_at:
        when = dt.datetime.fromisoformat(contact_at)
        if when < case.received_at:
            found.append(Finding("contact_at", "联系时间", "联系时间早于来电时间。"))
        if case.replied_at and when > case.replied_at:
            found.append(Finding("contact_at", "联系时间", "联系时间晚于提交回复的时间。"))
    return found
