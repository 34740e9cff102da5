"""A new case appears in the operator's queue count by itself, with a visual cue."""

import pytest

pytestmark = pytest.mark.e2e


def test_new_arrival_shows_without_reload(page, people, make_case, settings, output_dir):
    settings.JIESU_POLL_SECONDS = 1
    make_case(title="楼道堆物")
    page.goto("/login/")
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("pw-zuoxi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cases/")
    page.locator('[data-queue="received"]').click()
    page.wait_for_url("**/queues/received/")
    received = page.locator('#queue-nav [data-queue="received"]')
    page.wait_for_function(
        "() => document.querySelector('#queue-nav [data-queue=received]').dataset.count === '1'"
    )
    assert page.locator("[data-countdown]").first.inner_text().startswith(("剩余", "已超时"))

    make_case(title="供暖不热")
    page.wait_for_function(
        "() => document.querySelector('#queue-nav [data-queue=received]').dataset.count === '2'"
    )
    assert received.get_attribute("data-new") == "1"
    assert "new-arrival" in received.get_attribute("class")
    page.screenshot(path=output_dir / "new-arrival.png")
