"""An exemption from filing to 通过, by four people, and the unit's score going up."""

import pytest

from jiesu.assessment.models import Application, ApplicationState, ExemptionGround
from jiesu.cases import services
from jiesu.org.models import Membership, Role
from tests.e2e.conftest import login
from tests.files import sample

pytestmark = pytest.mark.e2e

MALICIOUS = "恶意重复来电"


def unit_score(page, period, unit) -> float:
    page.goto(f"/assessment/?period={period}")
    return float(page.locator(f'[data-score-unit="{unit.pk}"]').first.inner_text())


def test_exemption_from_filing_to_passed_lifts_the_score(
    page, people, org, closed_case, output_dir
):
    from django.contrib.auth.models import User

    # an earlier browser test's flush removes the grounds the migration created
    ExemptionGround.objects.get_or_create(
        name=MALICIOUS, defaults={"checklist": ["来电记录", "通话录音", "情况说明"]}
    )
    tichu = User.objects.create_user(username="tichu", password="pw-tichu", first_name="郑雪梅")
    Membership.objects.create(user=tichu, unit=org["street"], role=Role.EXEMPTION)
    closed_case("hly", valid=True)
    bad = closed_case("hly", valid=True, solved="unsolved", satisfaction="unsatisfied")
    services.store_attachment(
        bad, by=people["zuoxi"], name="通话录音.mp3", data=sample("通话录音.mp3")
    )

    login(page, "zuzhang")
    before = unit_score(page, "2026-10", org["hly"])
    assert before == 55.0
    page.screenshot(path=output_dir / "01-score-before.png", full_page=True)
    page.locator(f'[data-score-row="{org["hly"].pk}"] [data-drill="satisfaction_rate"]').click()
    page.wait_for_selector("[data-intro]")
    assert page.locator(f'[data-case-row="{bad.pk}"]').count() == 1
    page.screenshot(path=output_dir / "01b-drill-down-before.png", full_page=True)

    # the operator files the exemption, ticking one file and uploading another
    login(page, "zuoxi")
    page.goto(f"/assessment/applications/new/{bad.pk}/")
    page.get_by_label("申请类型").select_option(label="不纳入考核")
    page.get_by_label("理由").select_option(label=MALICIOUS)
    page.get_by_label("情况说明").fill("诉求人一月内来电 37 次,反映同一已办结事项,无新情况新理由。")
    page.get_by_label("通话录音.mp3").check()
    page.locator("[data-evidence-upload]").set_input_files(
        files=[
            {
                "name": "来电记录.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": sample("来电记录.xlsx"),
            }
        ]
    )
    page.screenshot(path=output_dir / "02-filing-form.png", full_page=True)
    page.locator('[data-action="create"]').click()
    page.wait_for_selector('[data-state="draft"]')
    assert page.locator('[data-checklist-item][data-met="no"]').count() == 0
    page.locator('[data-action="submit_for_review"]').click()
    page.wait_for_selector('[data-state="first_review"]')
    page.screenshot(path=output_dir / "03-submitted-for-review.png", full_page=True)
    app = Application.objects.get(case=bad)
    detail = f"/assessment/applications/{app.pk}/"

    login(page, "tichu")
    page.goto(detail)
    page.locator("[data-panel=first_review] textarea").fill("录音与来电记录齐全")
    page.screenshot(path=output_dir / "04-first-review.png", full_page=True)
    page.locator('[data-action="first_review_approve"]').click()
    page.wait_for_selector('[data-state="second_review"]')

    login(page, "zuzhang")
    page.goto(detail)
    page.locator('[data-action="second_review_approve"]').click()
    page.wait_for_selector('[data-state="ready"]')
    page.screenshot(path=output_dir / "05-second-review-approved.png", full_page=True)
    # the 2026-10 deadline (10-15 18:00) has passed: refused, unless the 组长 gives a reason
    assert (
        "已超过提交截止时间 2026-10-15 18:00" in page.locator('[data-warning="late"]').inner_text()
    )
    page.locator('[data-action="record_submission"]').click()
    page.wait_for_selector(".flash.error")
    assert (
        "已超过提交截止时间 2026-10-15 18:00,不能提交" in page.locator(".flash.error").inner_text()
    )
    assert page.locator('[data-state="ready"]').count() == 1
    page.locator("[data-panel=record_submission] textarea[name=override_reason]").fill(
        "平台系统故障,经平台同意补交"
    )
    page.screenshot(path=output_dir / "06-late-submission-override.png", full_page=True)
    page.locator('[data-action="record_submission"]').click()
    page.wait_for_selector('[data-state="submitted"]')
    assert "组长特批:平台系统故障,经平台同意补交" in page.locator("[data-override]").inner_text()
    page.screenshot(path=output_dir / "06-submitted-to-platform.png", full_page=True)

    login(page, "tichu")
    page.goto(detail)
    page.locator("[data-panel=record_outcome] textarea").fill("平台审核通过")
    page.locator('[data-action="record_outcome_passed"]').click()
    page.wait_for_selector('[data-state="passed"]')
    assert page.locator("[data-history-action]").count() == 6
    page.screenshot(path=output_dir / "07-passed.png", full_page=True)
    assert Application.objects.get(pk=app.pk).state == ApplicationState.PASSED

    login(page, "zuzhang")
    page.goto("/assessment/applications/")
    assert page.locator(f'[data-application-row="{app.pk}"]').count() == 1
    page.screenshot(path=output_dir / "08-list.png", full_page=True)
    after = unit_score(page, "2026-10", org["hly"])
    page.screenshot(path=output_dir / "09-score-after.png", full_page=True)
    assert after > before
    assert after == 100.0
    effect = page.locator(f'[data-exemption-effect] [data-effect-unit="{org["hly"].pk}"]')
    assert effect.locator("[data-before]").inner_text() == "55.0"
    assert effect.locator("[data-now]").inner_text() == "100.0"

    # every number opens the cases behind it: 满意率 of 华龙苑南里社区 now loses on none
    row = page.locator(f'[data-score-row="{org["hly"].pk}"]')
    row.locator('[data-drill="valid"]').click()
    page.wait_for_selector("[data-intro]")
    assert page.locator("[data-case-row]").count() == 1
    assert page.locator(f'[data-case-row="{bad.pk}"]').count() == 0
    page.screenshot(path=output_dir / "10-drill-down-valid.png", full_page=True)
    page.go_back()
    page.locator(f'[data-score-row="{org["hly"].pk}"] [data-drill="satisfaction_rate"]').click()
    page.wait_for_selector("[data-intro]")
    assert page.locator("[data-case-row]").count() == 0
    assert "满意率失分" in page.locator("[data-page-title]").inner_text()
