"""A community worker replies from a phone: the check holds a contradictory reply back, the
worker submits it anyway with a reason, the reviewer sees both and rejects, and the page keeps
the rejected reply under the newer one."""

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
    page.locator("#id_reply-citizen_response").fill("诉求人表示不满意")
    page.locator("#id_reply-citizen_response").blur()
    # checked as it is written, before anything is sent
    page.wait_for_selector('[data-reply-check] [data-reply-finding="citizen_response"]')
    assert page.locator('[data-reply-check] [data-reply-finding="actions"]').count() == 2
    page.screenshot(path=output_dir / "phone-reply-live-check.png", full_page=True)
    page.locator('[data-action="reply"]').click()
    # held back: the findings on the form, and the way to submit anyway
    page.wait_for_selector("[data-anyway]")
    assert Case.objects.get(pk=dispatched.pk).state == State.DISPATCHED
    assert page.locator('[data-reply-findings="3"][data-held="yes"]').count() == 1
    page.screenshot(path=output_dir / "phone-reply-held-back.png", full_page=True)
    page.locator("#id_reply-citizen_response").fill("诉求人表示满意")
    page.locator("#id_reply-anyway").check()
    page.locator("#id_reply-anyway_reason").fill("措施见所附现场照片")
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    page.locator('[data-evidence="reply"]').set_input_files(str(photo))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"页面横向溢出:{width}px"
    page.screenshot(path=output_dir / "phone-reply.png", full_page=True)
    page.locator('[data-action="reply"]').click()
    page.wait_for_selector('[data-event="attach"]')
    assert Case.objects.get(pk=dispatched.pk).state == State.REPLIED

    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1360, "height": 900})
    page = desk.new_page()
    login(page, "shenhe")
    page.locator('[data-queue="review"]').click()
    page.locator(f'[data-case="{dispatched.pk}"]').click()
    assert page.locator("[data-finding=actions]").count() == 2
    assert page.locator("[data-override-reason]").inner_text() == "措施见所附现场照片"
    page.screenshot(path=output_dir / "review.png", full_page=True)
    page.locator("[data-panel=reject] summary").click()
    page.locator("#id_reject-reason").fill("请写明采取了哪些措施")
    page.locator('[data-action="reject"]').click()
    page.wait_for_selector('[data-event="reject"]')
    desk.close()
    assert Case.objects.get(pk=dispatched.pk).state == State.DISPATCHED

    # the unit replies again: the new reply on top, the rejected one under it, marked so
    page = phone.new_page()
    page.goto(f"/cases/{dispatched.pk}/")
    page.locator("[data-panel=reply] summary").click()
    page.locator("#id_reply-contact_at").fill("2026-03-02T10:00")
    page.locator("#id_reply-contact_way").fill("电话")
    page.locator("#id_reply-facts").fill("经现场核实,东门外晚间确有流动摊位")
    page.locator("#id_reply-actions").fill("联合城管执法队清理摊位三处,设置提示牌")
    page.locator("#id_reply-result").fill("已解决")
    page.locator("#id_reply-citizen_response").fill("诉求人表示满意")
    page.locator('[data-action="reply"]').click()
    page.wait_for_selector('[data-reply-entry="2"][data-reply-status="pending"]')
    entries = page.locator("[data-reply-entry]")
    assert entries.nth(0).get_attribute("data-reply-entry") == "2"
    rejected = entries.nth(1)
    assert rejected.get_attribute("data-reply-status") == "rejected"
    assert rejected.locator("[data-reply-label]").inner_text() == "已驳回"
    assert "请写明采取了哪些措施" in rejected.locator("[data-reject-reason]").inner_text()
    page.screenshot(path=output_dir / "phone-reply-history.png", full_page=True)
    phone.close()
