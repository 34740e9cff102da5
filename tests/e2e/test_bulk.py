"""The operator ticks all waiting cases and signs them in one go."""

import pytest

from jiesu.cases.models import Case, State

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
