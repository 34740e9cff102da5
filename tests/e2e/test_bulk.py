"""The operator ticks all waiting cases and signs them in one go."""

import pytest

from jiesu.cases.models import Case, State
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_bulk_sign_from_the_queue(page, people, make_case, output_dir):
    cases = [make_case(title=f"路灯不亮 {i}") for i in range(3)]
    page.goto("/login/")
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("pw-zuoxi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cases/")
    page.goto("/queues/received/")
    page.locator("[data-select-all]").check()
    assert page.locator("[data-selected-count]").inner_text() == "已选 3 件"
    page.locator('[data-bulk="sign"]').click()
    page.wait_for_selector("text=已签收 3 件")
    page.screenshot(path=output_dir / "bulk-signed.png", full_page=True)
    assert page.locator("[data-case-row]").count() == 0
    assert {c.state for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {State.ACCEPTED}


def test_sign_one_case_from_its_row(page, people, make_case, settings, output_dir):
    """One click in the row: the message shows, the row leaves the queue, the count follows."""
    settings.JIESU_POLL_SECONDS = 600  # the count must follow the click, not the poll
    first, second = make_case(title="路灯不亮"), make_case(title="井盖缺失")
    login(page, "zuoxi")
    page.goto("/queues/received/")
    page.wait_for_selector('#queue-nav [data-queue="received"][data-count="2"]')
    page.evaluate("window.stillHere = true")
    page.locator(f'[data-case-row="{first.pk}"] [data-action="sign"]').click()
    page.wait_for_selector(f"text=已签收:{first.platform_no}")
    assert page.evaluate("window.stillHere") and page.url.endswith("/queues/received/")
    assert page.locator(f'[data-case-row="{first.pk}"]').count() == 0
    assert page.locator(f'[data-case-row="{second.pk}"]').count() == 1
    page.wait_for_selector('#queue-nav [data-queue="received"][data-count="1"]')
    page.screenshot(path=output_dir / "row-signed.png", full_page=True)
    assert Case.objects.get(pk=first.pk).state == State.ACCEPTED
    assert Case.objects.get(pk=second.pk).state == State.RECEIVED


@pytest.mark.parametrize(
    ("username", "url"), [("shenhe", "/queues/review/"), ("shequ", "/queues/mine/")]
)
def test_no_bulk_buttons_for_reviewers_and_handlers(page, people, dispatched, username, url):
    login(page, username)
    for address in (url, "/cases/"):
        page.goto(address)
        assert page.locator("[data-bulk], [data-select], [data-select-all]").count() == 0
        assert page.locator("[data-case-row] button").count() == 0
    assert page.locator(f'[data-case-row="{dispatched.pk}"]').count() == 1  # the case is there


def test_the_desk_has_them(page, people, dispatched):
    for username in ("zuzhang", "ducha"):
        login(page, username)
        page.goto("/cases/")
        assert page.locator("[data-bulk]").count() == 3
        assert page.locator(f'[data-case-row="{dispatched.pk}"] [data-action="urge"]').count() == 1
