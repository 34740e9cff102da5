"""The operator pastes a case copied from the 12345 page, checks the form and saves it."""

import pytest

from jiesu.cases.models import Case
from tests.conftest import at
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

# As a copied HTML table gives it: tab-separated cells, page furniture around it.
TEXT = (
    "北京市12345市民服务热线 工单详情\n"
    "工单编号\t2026030212345\t来电时间\t2026/3/2 9:15\n"
    "来电人\t王女士\t联系电话\t138 1234 5678\n"
    "诉求类型\t投诉\t紧急程度\t一般\n"
    "问题分类\t城乡建设->市容环卫->占道经营\n"
    "被反映街乡镇\t霍营街道\t村/社区\t华龙苑南里社区居委会\n"
    "详细地址\t华龙苑南里东门外\n"
    "诉求内容\t华龙苑南里东门外每天晚上有商贩占道经营,\n"
    "噪音很大,垃圾遍地,希望尽快处理。\n"
    "办理时限\t7天\n"
    "打印\t关闭\n"
)


def test_paste_check_and_save(page, people, org, categories, output_dir):
    login(page, "zuoxi")
    page.goto("/intake/paste/")
    page.get_by_label("来源平台").select_option("city")
    page.get_by_label("粘贴的工单文本").focus()
    page.keyboard.insert_text(TEXT)
    page.get_by_role("button", name="解析").click()
    page.wait_for_selector('[data-action="save"]')

    def value(name):
        return page.locator(f'[name="{name}"]').input_value()

    assert value("platform_no") == "2026030212345"
    assert value("received_at") == "2026-03-02T09:15"
    assert value("request_type") == "complaint"
    assert value("urgency") == "ordinary"
    assert value("category") == str(categories["stalls"].pk)
    assert value("community") == str(org["hly"].pk)
    assert value("caller_name") == "王女士"
    assert value("caller_phone") == "13812345678"
    assert value("address") == "华龙苑南里东门外"
    assert value("limit_days") == "7"
    assert (
        value("content")
        == "华龙苑南里东门外每天晚上有商贩占道经营,\n噪音很大,垃圾遍地,希望尽快处理。"
    )
    assert value("title") == "华龙苑南里东门外每天晚上有商贩占道经营,噪音很大"
    assert "没有找到标题" in page.locator("[data-paste-notes]").inner_text()
    assert page.locator("[data-unused] li").all_inner_texts() == [
        "北京市12345市民服务热线 工单详情",
        "打印 关闭",
    ]
    page.screenshot(path=output_dir / "01-prefilled.png", full_page=True)

    page.locator('[name="title"]').fill("华龙苑南里东门外夜间占道经营")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert page.locator("[data-case-title]").inner_text() == "华龙苑南里东门外夜间占道经营"
    assert page.locator('[data-event="receive"]').count() == 1
    assert case.received_at == at("2026-03-02 09:15")
    assert (case.community, case.category) == (org["hly"], categories["stalls"])
    page.screenshot(path=output_dir / "02-case.png", full_page=True)
