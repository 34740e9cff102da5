"""GET /api/v1/duty/now: who is on duty now, at the units the caller reaches."""

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from jiesu.core.auth import API_AUTH
from jiesu.org import roster
from jiesu.org.access import TOP_KINDS

router = Router(auth=API_AUTH, tags=["值班"])


class OnDutyOut(Schema):
    user: str
    name: str
    role: str
    unit: str
    shift: str
    until: dt.datetime


@router.get("/duty/now", response=list[OnDutyOut], summary="当前值班人员")
def duty_now(request):
    units = request.reach.units(kinds=TOP_KINDS)
    return [
        {
            "user": d.user.get_username(),
            "name": d.user.get_full_name() or d.user.get_username(),
            "role": d.role,
            "unit": d.unit.name,
            "shift": d.shift.name,
            "until": d.ends_at,
        }
        for d in roster.on_duty(units, timezone.now())
    ]
