"""GET /api/v1/notifications: the user's notifications, newest first."""

import datetime as dt

from ninja import Router, Schema

from jiesu.core.auth import API_AUTH
from jiesu.supervision import notify

router = Router(auth=API_AUTH, tags=["通知"])
LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    case: int | None
    text: str
    created_at: dt.datetime
    read: bool


@router.get("/notifications", response=list[NotificationOut], summary="我的通知(最新在前)")
def notifications(request, unread: bool = False, limit: int = 50):
    rows = notify.of(request.user)
    if unread:
        rows = rows.filter(read_at=None)
    limit = max(1, min(limit, LIMIT))
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "case": n.case_id,
            "text": n.text,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in rows.order_by("-created_at", "-id")[:limit]
    ]
