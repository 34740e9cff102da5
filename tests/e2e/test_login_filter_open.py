"""A person logs in, filters the case list and opens a case, in a real Chromium."""

import pytest

from jiesu.cases import workflow
from tests.conftest import at

pytestmark = pytest.mark.e2e


@pytest.fixture
def cases(people, make_case, org):
    noise = make_case(title="夜间施工噪音扰民", content="霍营地铁站旁工地夜里还在施工,吵得睡不着。")
    blocked = make_case(title="小区门口占道经营")
    workflow.sign(blocked, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    workflow.dispatch(blocked, by=people["zuoxi"], lead_unit=org["hly"], at=at("2026-03-02 09:20"))
    return {"noise": noise, "blocked": blocked}


def test_login_filter_and_open_a_case(page, cases, output_dir):
    page.goto("/cases/")
    assert page.url.endswith("/login/?next=/cases/")
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.get_by_role("alert").inner_text()
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("pw-zuoxi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cases/")
    assert page.locator("[data-case-row]").count() == 2
    page.screenshot(path=output_dir / "01-list.png", full_page=True)

    page.select_option("select[name=state]", "dispatched")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**state=dispatched**")
    rows = page.locator("[data-case-row]")
    assert rows.count() == 1
    assert "张*" in rows.first.inner_text()
    page.screenshot(path=output_dir / "02-filtered.png", full_page=True)

    page.locator(f'[data-case="{cases["blocked"].pk}"]').click()
    page.wait_for_url(f"**/cases/{cases['blocked'].pk}/")
    assert page.locator("[data-case-title]").inner_text() == "小区门口占道经营"
    assert page.locator("[data-state]").inner_text() == "办理中"
    assert page.locator('[data-pii="caller_phone"]').inner_text() == "138****1234"
    assert page.locator("[data-timeline] li").count() == 3
    page.locator('[data-reveal="caller_phone"]').click()
    page.wait_for_function(
        "() => document.querySelector('[data-pii=caller_phone]').innerText === '13812341234'"
    )
    page.screenshot(path=output_dir / "03-case.png", full_page=True)


def test_urge_from_the_case_page(page, cases, output_dir):
    page.goto("/login/")
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("pw-zuoxi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cases/")
    page.goto(f"/cases/{cases['blocked'].pk}/")
    page.locator("#id_urge-note").fill("请尽快联系诉求人")  # optional: 催办 is one button
    page.locator('[data-action="urge"]').click()
    page.wait_for_selector('[data-event="urge"]')
    assert "请尽快联系诉求人" in page.locator('[data-event="urge"]').inner_text()
    page.screenshot(path=output_dir / "urged.png", full_page=True)
