"""A 督办 order in a browser, from creation to the summary export: the 坐席员 records it, the
组长 forwards it to two units, one unit answers, the desk chases the other and exports the
summary table, which is opened with openpyxl. Screenshots at 1366 px for the guide."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiesu.cases import workflow
from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_cases(people, org, make_case):
    now = timezone.now()
    made = []
    for unit, hours in (("hly", 30), ("office", 20)):
        case = make_case(received_at=now - dt.timedelta(hours=hours))
        workflow.sign(case, by=people["zuoxi"], at=case.received_at + dt.timedelta(minutes=5))
        workflow.dispatch(
            case,
            by=people["zuoxi"],
            lead_unit=org[unit],
            at=case.received_at + dt.timedelta(minutes=20),
        )
        made.append(case)
    return made


def test_an_order_from_creation_to_the_summary_export(page, people, org, two_cases, output_dir):
    from jiesu.supervision.models import Notification, SupervisionOrder

    blocked = csp_reports(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    local = timezone.localtime()
    login(page, "zuoxi")
    page.click('[data-nav="orders"]')
    page.click('[data-action="new-order"]')
    form = page.locator('[data-form="order"]')
    form.locator('input[name="number"]').fill("QDB-2026-1201")
    form.locator('select[name="source"]').select_option("district")
    form.locator('input[name="received_at"]').fill(f"{local:%Y-%m-%dT%H:%M}")
    due = local + dt.timedelta(days=2)
    form.locator('input[name="answer_due_at"]').fill(f"{due:%Y-%m-%dT%H:%M}")
    numbers = "\n".join(c.platform_no for c in two_cases)
    form.locator('textarea[name="numbers"]').fill(numbers)
    form.locator('textarea[name="demand"]').fill("请核实办理情况,两日内书面答复。")
    page.screenshot(path=output_dir / "order-new.png", full_page=True)
    page.click('[data-action="save-order"]')
    page.wait_for_url("**/orders/*/")
    order = SupervisionOrder.objects.get()
    assert order.cases.count() == 2
    assert page.locator('[data-action="forward"]').count() == 0  # the 坐席员 does not forward

    login(page, "zuzhang")
    page.goto(f"/notifications/orders/{order.pk}/")
    checked = page.locator('[data-form="forward"] input[name="unit"]:checked')
    assert checked.count() == 2  # the two cases' lead units, ticked
    page.click('[data-action="forward"]')
    assert "已转办 2 个承办单位,2 件工单已记录督办" in page.content()
    assert set(
        Notification.objects.filter(kind="order").values_list("user__username", flat=True)
    ) == {
        "shequ",
        "keshi",
    }

    login(page, "shequ")
    page.goto("/notifications/orders/")
    page.locator("[data-answer] a").click()
    page.fill('[data-form="answer"] textarea[name="text"]', "已现场核实,商户已搬离。")
    page.click('[data-action="answer"]')
    assert "答复已提交" in page.content()
    assert page.locator("[data-timeliness]").inner_text().startswith("按时答复")

    login(page, "zuoxi")
    page.goto("/notifications/orders/")
    assert page.locator(f'[data-order="{order.pk}"] [data-answered]').inner_text() == "答复 1/2"
    page.goto(f"/notifications/orders/{order.pk}/")
    page.click('[data-action="chase"]')
    assert "已催报 1 个未答复的承办单位" in page.content()
    assert list(
        Notification.objects.filter(kind="order_chase").values_list("user__username", flat=True)
    ) == ["keshi"]
    page.screenshot(path=output_dir / "order-detail.png", full_page=True)
    with page.expect_download() as info:
        page.click('[data-action="export-summary"]')
    assert info.value.suggested_filename.startswith("督办汇总表-QDB-2026-1201-")
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    rows = {r[6]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"华龙苑南里社区", "城市管理科"}
    assert rows["华龙苑南里社区"][7] == "已现场核实,商户已搬离。"
    assert rows["华龙苑南里社区"][9] == "按时答复" and rows["城市管理科"][9] == "未答复"
    order.refresh_from_db()
    assert order.summarized_at is not None
    page.goto("/notifications/orders/")
    page.screenshot(path=output_dir / "orders.png", full_page=True)
    assert blocked == []
