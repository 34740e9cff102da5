"""The operator dispatches with the unit picker: pinyin search and a rule's suggestion."""

import pytest

from jiesu.cases import workflow
from jiesu.cases.models import Case, State
from jiesu.knowledge.models import RoutingRule
from tests.conftest import at
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_dispatch_with_pinyin_search_and_suggestion(
    page, people, org, make_case, categories, output_dir
):
    RoutingRule.objects.create(category=categories["stalls"], community=org["hly"], unit=org["hly"])
    case = make_case(category=categories["stalls"])
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    login(page, "zuoxi")
    page.goto(f"/cases/{case.pk}/")
    page.locator("[data-panel=dispatch] summary").click()
    page.locator("[data-unit-search]").first.fill("hly")
    visible = page.locator("[data-unit-row]:visible")
    assert visible.count() == 1
    assert "华龙苑南里社区" in visible.first.inner_text()
    page.screenshot(path=output_dir / "picker.png", full_page=True)
    page.locator("[data-unit-search]").first.fill("")
    page.locator("[data-suggest]").first.click()
    page.get_by_label("协办:城市管理科").check()
    page.locator('[data-action="dispatch"]').click()
    page.wait_for_selector('[data-event="dispatch"]')
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert case.lead_unit == org["hly"]
    assert list(Case.objects.get(pk=case.pk).co_units.all()) == [org["office"]]


def test_enter_in_the_search_picks_the_highlighted_unit(page, people, org, make_case):
    case = make_case()
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    login(page, "zuoxi")
    page.goto(f"/cases/{case.pk}/")
    page.locator("[data-panel=dispatch] summary").click()
    search = page.locator("[data-unit-search]").first
    search.fill("hly")
    assert (
        page.locator("[data-unit-row].highlighted").get_attribute("data-name") == "华龙苑南里社区"
    )
    search.press("Enter")
    assert page.get_by_label("主办:华龙苑南里社区").is_checked()
    search.fill("")  # every unit again; the arrows move the highlight, Enter picks
    search.press("ArrowDown")
    search.press("ArrowDown")
    second = page.locator("[data-unit-row]:visible").nth(1).get_attribute("data-unit-row")
    row = page.locator(f'[data-unit-row="{second}"]')
    assert "highlighted" in row.get_attribute("class")
    search.press("Enter")
    assert row.locator("input[type=radio]").is_checked()
    search.fill("没有这个单位")
    search.press("Enter")  # nothing to pick: still nothing sent
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    assert not case.events.filter(action="dispatch").exists()
    page.locator('[data-action="dispatch"]').click()
    page.wait_for_selector('[data-event="dispatch"]')
    assert Case.objects.get(pk=case.pk).lead_unit_id == int(second)
