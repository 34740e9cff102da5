"""The 组长 approves an extension on a 390 px phone: the bell says so, the 待审批 queue
holds the case, and the approval takes it out (a screenshot of each step)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e


def test_a_leader_approves_an_extension_on_a_phone(page, people, org, make_case, output_dir):
    from jiesu.cases import workflow

    now = timezone.now()
    case = make_case(title="楼顶私搭乱建", received_at=now - dt.timedelta(days=2))
    workflow.sign(case, by=people["zuoxi"], at=now - dt.timedelta(days=2, minutes=-5))
    workflow.dispatch(
        case,
        by=people["zuoxi"],
        lead_unit=org["office"],
        at=now - dt.timedelta(days=2, minutes=-20),
    )
    case.refresh_from_db()
    # the unit asks through the workflow; its step commits, so the 组长 is told
    workflow.request_extension(
        case, by=people["keshi"], until=case.due_at + dt.timedelta(days=5), reason="需协调产权单位"
    )
    blocked = csp_reports(page)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "zuzhang")
    page.locator('#bell [data-unread="1"]').wait_for()
    page.goto("/queues/approvals/")
    page.screenshot(path=output_dir / "approvals-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(f'[data-case="{case.pk}"]').first.click()
    page.locator("[data-panel=approve_extension] summary").click()
    page.screenshot(path=output_dir / "approve-extension-390.png", full_page=True)
    page.locator('[data-action="approve_extension"]').click()
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.extension_requested_until is None
    assert case.due_at > now + dt.timedelta(days=5)
    page.goto("/queues/approvals/")
    assert page.locator(f'[data-case="{case.pk}"]').count() == 0
    assert blocked == []
