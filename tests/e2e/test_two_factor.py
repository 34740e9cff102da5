"""The administrator binds a phone on first login, then logs in with password and code, in a
real Chromium, under the Content-Security-Policy, at the desktop and phone widths."""

import base64
import time

import pytest

from tests.core.test_two_factor import totp
from tests.e2e.conftest import csp_reports, submit_password

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_enrols_then_logs_in_with_a_code(page, people, settings, output_dir, width):
    settings.JIESU_2FA_ROLES = ["admin"]
    page.set_viewport_size({"width": width, "height": 900})
    blocked = csp_reports(page)

    submit_password(page, "admin")
    page.wait_for_url("**/login/2fa/enrol/")
    qr = page.locator("img[data-otp-qr]")
    assert qr.evaluate("(img) => img.complete && img.naturalWidth") > 0
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.locator("nav").count() == 0  # nothing to wander off to
    secret = page.locator("[data-otp-secret]").inner_text().strip()
    page.screenshot(path=output_dir / f"01-enrol-{width}.png", full_page=True)

    key = base64.b32decode(secret)
    page.get_by_label("动态口令").fill("000000")
    page.get_by_role("button", name="确认绑定").click()
    assert "动态口令不正确" in page.get_by_role("alert").inner_text()
    page.get_by_label("动态口令").fill(totp(key))
    page.get_by_role("button", name="确认绑定").click()
    codes = page.locator("[data-backup-codes] code")
    assert codes.count() == 10
    page.screenshot(path=output_dir / f"02-backup-codes-{width}.png", full_page=True)
    page.locator("[data-otp-continue]").click()
    page.wait_for_url("**/dashboard/")  # the administrator's start page

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    submit_password(page, "admin")
    page.wait_for_url("**/login/2fa/")
    page.goto("/cases/")
    assert "/login/" in page.url and "/login/2fa/" not in page.url  # not logged in yet
    submit_password(page, "admin")
    page.wait_for_url("**/login/2fa/")
    page.screenshot(path=output_dir / f"03-code-{width}.png", full_page=True)
    # the enrolment spent this 30-second step's code; the next step's is within the window
    page.get_by_label("动态口令").fill(totp(key, at=time.time() + 30))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url("**/dashboard/")
    page.goto("/account/2fa/")
    assert "已启用" in page.locator("[data-otp-device]").inner_text()
    page.screenshot(path=output_dir / f"04-account-{width}.png", full_page=True)
    assert blocked == []
