"""How a case is shown: personal data always masked here."""

from jiesu.cases.workflow import ACTION_LABELS
from jiesu.core.masking import MASKERS, masked


def masked_pii(case) -> dict:
    return {name: masked(name, getattr(case, name)) for name in MASKERS}


def event_story(event) -> str:
    """One readable line of the timeline."""
    who = (event.actor.get_full_name() or event.actor.username) if event.actor else "系统"
    label = ACTION_LABELS.get(event.action, event.action)
    payload = event.payload or {}
    text = f"{who} {label}"
    if "lead_unit" in payload:
        co = "、".join(u["name"] for u in payload.get("co_units", []))
        text += f":主办 {payload['lead_unit']['name']}" + (f",协办 {co}" if co else "")
    if event.action == "reply" and payload.get("result"):
        text += f":{payload['result']}"
    if event.action == "callback":
        text += "(有效回访)" if payload.get("callback_valid") else "(无效回访)"
    if event.action == "attach":
        text += f":{payload.get('name', '')}"
    return text
