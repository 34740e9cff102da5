"""Every page jiesu serves works under its own Content-Security-Policy: nothing it needs is
blocked, at the desktop and phone widths offices have."""

import pytest

from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e

PAGES = [
    "/cases/",
    "/queues/received/",
    "/assessment/",
    "/assessment/applications/",
    "/intake/import/",
    "/intake/import/mappings/",
    "/intake/paste/",
    "/rules/",
    "/audit/",
    "/account/password/",
    "/api/docs",
    "/admin/",
]


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_need_nothing_the_policy_forbids(page, people, dispatched, output_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    blocked = csp_reports(page)
    login(page, "zuzhang")
    for path in PAGES:
        response = page.goto(path)
        assert response.status < 400, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    page.goto(f"/cases/{dispatched.pk}/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=output_dir / f"case-{width}.png", full_page=True)
    assert blocked == []
