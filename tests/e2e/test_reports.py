"""Reports in a browser: the 数据专员 orders a 专报, the page follows it until the worker
has built it and the PDF downloads; a ledger too large for the page shows its progress and
then its download. Screenshots for the guide."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e


@pytest.fixture
def week(people, org, make_case, closed_case):
    now = timezone.now()
    for days in (1, 2, 3):
        make_case(title="楼道堆物", received_at=now - dt.timedelta(days=days))
    for days in (2, 4):
        when = timezone.localtime(now - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M")
        closed_case("hly", when=when)


def test_order_a_report_and_follow_a_large_ledger(page, people, org, week, output_dir, monkeypatch):
    from jiesu.reports import jobs, views
    from jiesu.reports.models import ReportRun

    blocked = csp_reports(page)
    login(page, "shuju")
    page.goto("/reports/")
    page.locator('[data-panel="order"] summary').click()
    today = timezone.localdate()
    page.select_option('[data-form="report-order"] select[name="kind"]', "special")
    page.fill('[data-form="report-order"] input[name="start"]', str(today - dt.timedelta(days=6)))
    page.fill('[data-form="report-order"] input[name="end"]', str(today))
    page.screenshot(path=output_dir / "reports-order.png", full_page=True)
    page.click('[data-action="order-report"]')
    page.wait_for_url("**/reports/runs/*/")
    assert page.locator("[data-state]").inner_text() == "排队中"
    run = ReportRun.objects.get()
    assert jobs.run_queued() == 1  # the worker, here in the test
    # the page polls and shows the downloads without a reload
    page.locator('[data-download="pdf"]').wait_for(timeout=10_000)
    page.screenshot(path=output_dir / "reports-run-done.png", full_page=True)
    with page.expect_download() as info:
        page.click('[data-download="pdf"]')
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and info.value.suggested_filename == f"{run.title}.pdf"

    monkeypatch.setattr(views, "BACKGROUND_ROWS", 2)
    login(page, "zuzhang")
    page.goto("/reports/ledgers/")
    page.fill('[data-form="ledger"] input[name="period"]', "")
    page.click('[data-action="ledger"]')
    page.wait_for_url("**/reports/runs/*/")
    assert "已转入后台生成" in page.content()
    page.screenshot(path=output_dir / "ledger-background-queued.png", full_page=True)
    assert jobs.run_queued() == 1
    page.locator('[data-download="xlsx"]').wait_for(timeout=10_000)
    assert page.locator("progress").get_attribute("value") == "5"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/reports/")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=output_dir / "reports-390.png", full_page=True)
    assert width <= 390
    assert blocked == []
