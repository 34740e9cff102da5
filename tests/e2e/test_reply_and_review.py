"""A community worker replies from a phone with a photo; the reviewer sees the check and rejects."""

import pytest

from jiesu.cases.models import Case, State
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_phone_reply_then_review(browser, live_server, dispatched, output_dir, tmp_path):
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    login(page, "shequ")
    page.locator('[data-queue="mine"]').click()
    page.locator(f'[data-case="{dispatched.pk}"]').click()
    page.locator("[data-panel=reply] summary").click()
    page.locator("#id_reply-contact_at").fill("2026-03-02T10:00")
    page.locator("#id_reply-contact_way").fill("电话")
    page.locator("#id_reply-facts").fill("经现场核实,东门外晚间确有流动摊位")
    page.locator("#id_reply-actions").fill("无")
    page.locator("#id_reply-result").fill("已解决")
    page.locator("#id_reply-citizen_response").fill("诉求人表示满意")
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    page.locator('[data-evidence="reply"]').set_input_files(str(photo))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"页面横向溢出:{width}px"
    page.screenshot(path=output_dir / "phone-reply.png", full_page=True)
    page.locator('[data-action="reply"]').click()
    page.wait_for_selector('[data-event="attach"]')
    phone.close()
    assert Case.objects.get(pk=dispatched.pk).state == State.REPLIED

    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1360, "height": 900})
    page = desk.new_page()
    login(page, "shenhe")
    page.locator('[data-queue="review"]').click()
    page.locator(f'[data-case="{dispatched.pk}"]').click()
    assert page.locator("[data-finding=actions]").count() == 2
    page.screenshot(path=output_dir / "review.png", full_page=True)
    page.locator("[data-panel=reject] summary").click()
    page.locator("#id_reject-reason").fill("请写明采取了哪些措施")
    page.locator('[data-action="reject"]').click()
    page.wait_for_selector('[data-event="reject"]')
    desk.close()
    assert Case.objects.get(pk=dispatched.pk).state == State.DISPATCHED
