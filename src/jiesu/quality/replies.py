"""Every reply a case has had, newest first, each with how its review ended: a rejected
reply stays on the case page as 已驳回 with the reviewer's reason, under the newer one."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from jiesu.cases.workflow import REPLY_PARTS
from jiesu.core.masking import mask_data, mask_text

STATUS_LABELS = {
    "pending": "待审核",
    "rejected": "已驳回",
    "approved": "审核通过",
    "desk": "接诉中心直接办结",
}


@dataclass
class ReplyEntry:
    number: int  # 1 for the case's first reply
    at: dt.datetime
    by: str
    unit: str
    parts: list  # (part, label, text), masked, times in local time
    status: str
    override: dict | None = None  # findings submitted despite, and the unit's reason
    reviewer: str = ""
    reviewed_at: dt.datetime | None = None
    review_note: str = ""
    reopened: str = ""  # the reason of a later 重办

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _who(event) -> str:
    actor = event.actor
    return (actor.get_full_name() or actor.username) if actor else "系统"


def reply_parts(body: dict) -> list[tuple[str, str, str]]:
    """A reply's parts (already masked) as (part, label, text) rows, times in local time."""
    body = dict(body)
    if body.get("contact_at"):
        when = timezone.localtime(dt.datetime.fromisoformat(body["contact_at"]))
        body["contact_at"] = f"{when:%Y-%m-%d %H:%M}"
    return [(part, label, body[part]) for part, label in REPLY_PARTS.items() if body.get(part)]


def reply_history(events, own: dict) -> list[ReplyEntry]:
    """The replies (and the desk's own answers) in `events`, a case's timeline in order,
    masked with the case's `own` data; newest first."""
    entries: list[ReplyEntry] = []
    for event in events:
        latest = entries[-1] if entries else None
        if event.action == "reply":
            body = mask_data(event.payload or {}, own)
            entries.append(
                ReplyEntry(
                    number=len(entries) + 1,
                    at=event.at,
                    by=_who(event),
                    unit=body.get("unit", ""),
                    parts=reply_parts(body),
                    status="pending",
                    override=body.get("override"),
                )
            )
        elif event.action == "close":
            answer = mask_text(event.reason, own)
            entries.append(
                ReplyEntry(
                    number=len(entries) + 1,
                    at=event.at,
                    by=_who(event),
                    unit="接诉中心",
                    parts=[("result", "答复内容", answer)],
                    status="desk",
                )
            )
        elif event.action in ("reject", "approve") and latest and latest.status == "pending":
            latest.status = "rejected" if event.action == "reject" else "approved"
            latest.reviewer, latest.reviewed_at = _who(event), event.at
            latest.review_note = mask_text(event.reason, own)
        elif event.action == "reopen" and latest and latest.status in ("approved", "desk"):
            latest.reopened = mask_text(event.reason, own)
    return entries[::-1]
