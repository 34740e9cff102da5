"""The shift handover in a browser: the outgoing shift writes its notes, the worker makes
the list at the shift change, the incoming shift is told, opens it and acknowledges it."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e


def test_the_handover_at_a_shift_change(page, people, org, make_case, output_dir):
    from jiesu.cases import workflow
    from jiesu.org import roster
    from jiesu.org.models import Handover, Role
    from jiesu.supervision import handover

    now = timezone.now()
    late = make_case(title="井盖缺失", received_at=now - dt.timedelta(days=9))
    workflow.sign(late, by=people["zuoxi"], at=late.received_at + dt.timedelta(minutes=5))
    workflow.dispatch(
        late,
        by=people["zuoxi"],
        lead_unit=org["office"],
        at=late.received_at + dt.timedelta(minutes=20),
    )
    _, (changes_at, shift) = handover.changes_around(now)
    roster.assign(
        unit=org["street"],
        day=timezone.localtime(changes_at).date(),
        shift=shift,
        user=people["zuzhang"],
        role=Role.LEADER,
    )
    blocked = csp_reports(page)
    # the outgoing shift writes its notes before the change
    login(page, "zuoxi")
    page.goto("/duty/handover/")
    page.fill('[data-form="handover-notes"] textarea', "东门占道已联系城管,明早回访。")
    page.click('[data-action="save-notes"]')
    page.locator("text=已保存交班说明").wait_for()
    # the shift changes: the worker makes the list
    assert handover.prepare(changes_at + dt.timedelta(minutes=1)) >= 1
    made = Handover.objects.get(unit=org["street"], changes_at=changes_at)
    assert made.items["red"]["count"] == 1
    # the incoming shift is told, opens it and takes it
    login(page, "zuzhang")
    page.goto("/notifications/")
    page.locator("text=交接单已生成").first.wait_for()
    page.goto(f"/duty/handover/{made.pk}/")
    assert "东门占道已联系城管,明早回访。" in page.locator("[data-notes]").inner_text()
    assert page.locator(f'[data-items="red"] [data-case="{late.pk}"]').count() == 1
    page.screenshot(path=output_dir / "handover.png", full_page=True)
    page.click('[data-action="acknowledge"]')
    page.locator("text=已确认接班").wait_for()
    made.refresh_from_db()
    assert made.acknowledged_by == people["zuzhang"]
    assert blocked == []
