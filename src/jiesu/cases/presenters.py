"""How a case is shown on the pages: personal data always masked (cases.display), the
timeline as sentences."""

import datetime as dt

from django.utils import timezone

from jiesu.cases.display import masked_pii, masked_reply
from jiesu.cases.models import Satisfaction, Solved
from jiesu.cases.workflow import ACTION_LABELS
from jiesu.core.masking import mask_text

__all__ = ["TEXT_FIELDS", "event_story", "masked_event", "masked_pii", "masked_reply"]

PLATFORM_LABELS = {"city": "市级平台", "district": "区级平台"}


# Free text a case carries that may hold personal data; revealed like the fields.
TEXT_FIELDS = {
    "title": "标题",
    "content": "主要内容",
    "reply": "办理结果",
    "notes": "流转记录说明",
}


def masked_event(event, own: dict) -> tuple[str, str]:
    """The timeline sentence and reason of an event, masked."""
    return mask_text(event_story(event), own), mask_text(event.reason, own)


def _when(iso: str) -> str:
    return f"{timezone.localtime(dt.datetime.fromisoformat(iso)):%m月%d日 %H:%M}"


def _units(payload) -> str:
    co = "、".join(u["name"] for u in payload.get("co_units", []))
    return f"主办“{payload['lead_unit']['name']}”" + (f",协办“{co}”" if co else "")


def _detail(action: str, p: dict) -> str:
    """What the event did, in words, from its payload."""
    if action == "receive":
        return f"从{PLATFORM_LABELS.get(p.get('platform'), '平台')}接收工单"
    if action == "dispatch":
        due = f",要求{_when(p['unit_due_at'])}前办结" if p.get("unit_due_at") else ""
        return f"派单给{_units(p)}{due}"
    if action == "redispatch":
        return f"从“{p.get('previous_lead_unit', {}).get('name', '')}”改派给{_units(p)}"
    if action == "contact":
        return f"于{_when(p['contact_at'])}通过{p.get('way', '')}联系了诉求人"
    if action == "extend":
        return f"申请延期至{_when(p['until'])}"
    if action == "approve_extension":
        verdict = "批准" if p.get("approved") else "不同意"
        return f"{verdict}延期至{_when(p['until'])}"
    if action == "reply":
        return f"提交办理结果:{p.get('result', '')}"
    if action == "callback":
        valid = "有效回访" if p.get("callback_valid") else "无效回访"
        solved = Solved(p["callback_solved"]).label if p.get("callback_solved") else ""
        happy = (
            Satisfaction(p["callback_satisfaction"]).label if p.get("callback_satisfaction") else ""
        )
        return f"回访({valid}):{solved},{happy}"
    if action == "attach":
        return f"上传附件“{p.get('name', '')}”"
    return ACTION_LABELS.get(action, action)


def event_story(event) -> str:
    """One readable sentence of the timeline: who did what."""
    who = (event.actor.get_full_name() or event.actor.username) if event.actor else "系统"
    return f"{who} {_detail(event.action, event.payload or {})}"
