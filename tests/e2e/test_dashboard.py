"""The 组长's dashboard in a browser: a chart's bar opens the list behind it, and the 大屏
mode as the duty room's wall screen shows it (saved as a 1920×1080 screenshot)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e

RED = "#d0302f"  # the lamp chart's red bar (dashboard.views.LAMP_COLOURS)


@pytest.fixture
def street(people, org, make_case, closed_case, categories):
    """Cases waiting too long to be signed (red), fresh ones (green), some dispatched and
    closed with callbacks in the current period."""
    from jiesu.cases import workflow

    now = timezone.now()
    for hours in (3, 5, 26):
        make_case(title="楼道堆物", received_at=now - dt.timedelta(hours=hours))
    for minutes in (2, 4):
        make_case(
            title="路灯不亮",
            received_at=now - dt.timedelta(minutes=minutes),
            category=categories["stalls"],
            community=org["xyy"],
        )
    case = make_case(
        title="井盖缺失", received_at=now - dt.timedelta(days=2), category=categories["garbage"]
    )
    workflow.sign(case, by=people["zuoxi"], at=case.received_at + dt.timedelta(minutes=5))
    workflow.dispatch(
        case,
        by=people["zuoxi"],
        lead_unit=org["office"],
        at=case.received_at + dt.timedelta(minutes=20),
    )
    for days in (3, 4):
        when = timezone.localtime(now - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M")
        closed_case("hly", when=when, solved="partly" if days == 4 else "solved")


def test_a_chart_bar_opens_the_list_of_as_many_cases(page, people, street, output_dir):
    blocked = csp_reports(page)
    login(page, "zuzhang")
    page.goto("/")
    page.wait_for_url("**/dashboard/")
    figure = page.locator('[data-figure="lamp-red"]')
    expected = int(figure.get_attribute("data-count"))
    assert expected == 3
    bar = page.locator(f'[data-chart="chart-lamps"] svg path[fill="{RED}"]').first
    bar.wait_for()
    page.screenshot(path=output_dir / "dashboard.png", full_page=True)
    bar.click()
    page.wait_for_url("**/cases/?lamp=red")
    assert int(page.locator("p[data-count]").get_attribute("data-count")) == expected
    assert page.locator("[data-case-row]").count() == expected

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/dashboard/?screen=1")
    page.locator('[data-chart="chart-trend-30"] svg').wait_for()
    assert page.locator(".topbar").count() == 0
    # laid out for the wall screen: nothing wider or taller than 1920×1080
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    page.screenshot(path=output_dir / "dashboard-screen-1920x1080.png", full_page=True)
    assert size[0] <= 1920 and size[1] <= 1080, size
    assert blocked == []
