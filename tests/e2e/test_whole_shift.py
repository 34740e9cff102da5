"""A whole shift at the desk: one case from arrival to 已办结, walked through by the people
of the office in a real browser. The 坐席员 signs it from the queue row and dispatches it
with the unit search; the community's handler writes a reply the check holds back, puts it
right and submits; the 审核员 approves it with one click, and it waits for the callback."""

import datetime as dt

import pytest
from django.utils import timezone

from jiesu.cases.models import Case, State
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1360, "height": 900}


def _count(page, queue: str, n: int) -> None:
    """Wait until the navigation says `n` cases wait in `queue`."""
    page.wait_for_selector(f'#queue-nav [data-queue="{queue}"][data-count="{n}"]')


def _timeline(page) -> list[tuple[str, str]]:
    rows = page.locator("[data-timeline] li")
    return [
        (rows.nth(i).get_attribute("data-event"), rows.nth(i).inner_text())
        for i in range(rows.count())
    ]


def _fill_reply(page, contact_at: str, actions: str) -> None:
    page.locator("#id_reply-contact_at").fill(contact_at)
    page.locator("#id_reply-contact_way").fill("电话")
    page.locator("#id_reply-facts").fill("经现场核实,东门外晚间确有流动摊位")
    page.locator("#id_reply-actions").fill(actions)
    page.locator("#id_reply-result").fill("已解决")
    page.locator("#id_reply-citizen_response").fill("诉求人表示满意")


def test_one_case_through_a_whole_shift(
    browser, live_server, page, people, org, make_case, settings, output_dir
):
    settings.JIESU_POLL_SECONDS = 600  # every count below follows a click, not the poll
    now = timezone.now()
    # 10 min 2 s into its 30-minute sign clock: "还剩 19分" for the next 58 seconds;
    # a 48-hour limit gives the unit 1 day 23 hours and some 49 minutes
    case = make_case(
        title="小区门口占道经营",
        received_at=now - dt.timedelta(minutes=10, seconds=2),
        limit_hours=48,
    )
    no = case.platform_no

    # 1. The operator signs the new case from the 待签收 row, without opening it.
    login(page, "zuoxi")
    page.locator('#queue-nav [data-queue="received"]').click()
    page.wait_for_url("**/queues/received/")
    _count(page, "received", 1)
    _count(page, "accepted", 0)
    row = page.locator(f'[data-case-row="{case.pk}"]')
    assert row.locator("[data-countdown]").inner_text() == "还剩 19分"
    assert row.locator(".state").inner_text() == "待签收"
    page.screenshot(path=output_dir / "1-received.png", full_page=True)
    row.locator('[data-action="sign"]').click()
    page.wait_for_selector(f"text=已签收:{no}")
    assert page.url.endswith("/queues/received/")
    assert row.count() == 0
    assert page.locator("[data-case-row]").count() == 0
    _count(page, "received", 0)
    _count(page, "accepted", 1)
    page.screenshot(path=output_dir / "1-signed.png", full_page=True)

    # 2. The operator dispatches it: Enter in the unit search picks, the button sends.
    page.locator('#queue-nav [data-queue="accepted"]').click()
    page.wait_for_url("**/queues/accepted/")
    page.locator(f'[data-case-row="{case.pk}"] [data-case="{case.pk}"]').click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert page.locator("[data-state]").inner_text() == "已签收(待派单)"
    page.locator("[data-panel=dispatch] summary").click()
    search = page.locator("[data-unit-search]").first
    search.fill("hly")
    visible = page.locator("[data-unit-row]:visible")
    assert visible.count() == 1
    assert page.locator("[data-unit-row].highlighted").get_attribute("data-name") == (
        "华龙苑南里社区"
    )
    search.press("Enter")
    assert page.get_by_label("主办:华龙苑南里社区").is_checked()
    page.wait_for_timeout(300)  # had Enter sent the form, the page would be leaving now
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert not case.events.filter(action="dispatch").exists()
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    page.screenshot(path=output_dir / "2-dispatch-dialog.png", full_page=True)
    page.locator('[data-panel=dispatch] [data-action="dispatch"]').click()
    page.wait_for_selector('[data-event="dispatch"]')
    assert page.locator(".flash").first.inner_text() == "已派单。"
    assert page.locator("[data-state]").inner_text() == "办理中"
    assert page.locator("[data-lamp]").get_attribute("data-lamp") == "green"
    header_clock = page.locator("h1 + p [data-countdown]")
    assert header_clock.inner_text() == "还剩 1天23小时"
    assert page.locator("[data-due] [data-countdown]").inner_text() == "还剩 1天23小时"
    assert "主办“华龙苑南里社区”" in page.locator('[data-event="dispatch"]').inner_text()
    _count(page, "accepted", 0)
    page.screenshot(path=output_dir / "2-dispatched.png", full_page=True)

    # 3. The community's handler finds it in 我的待办, is held back, puts it right.
    unit = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=VIEWPORT)
    handler = unit.new_page()
    handler.set_default_timeout(10_000)
    login(handler, "shequ")
    _count(handler, "mine", 1)
    handler.locator('#queue-nav [data-queue="mine"]').click()
    handler.wait_for_url("**/queues/mine/")
    mine = handler.locator(f'[data-case-row="{case.pk}"]')
    assert mine.locator(".state").inner_text() == "办理中"
    assert mine.locator("[data-countdown]").inner_text() == "还剩 1天23小时"
    mine.locator(f'[data-case="{case.pk}"]').click()
    handler.wait_for_url(f"**/cases/{case.pk}/")
    handler.locator("[data-panel=reply] summary").click()
    contact = timezone.localtime(timezone.now() - dt.timedelta(minutes=2))
    _fill_reply(handler, f"{contact:%Y-%m-%dT%H:%M}", actions="无")
    handler.locator('[data-action="reply"]').click()
    handler.wait_for_selector('[data-reply-findings][data-held="yes"]')
    held = handler.locator('[data-reply-findings][data-held="yes"]')
    assert held.get_attribute("data-reply-findings") == "2"
    findings = held.locator("[data-reply-finding]")
    assert [findings.nth(i).inner_text() for i in range(findings.count())] == [
        "· “采取措施”只写了“无”,没有实际内容。",
        "· 结果写“已解决”,但没有写采取了什么措施。",
    ]
    assert handler.locator("[data-anyway]").count() == 1
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    assert not case.events.filter(action="reply").exists()
    handler.screenshot(path=output_dir / "3-reply-held-back.png", full_page=True)
    # the form kept what was written: only the measure is put right
    assert handler.locator("#id_reply-facts").input_value() == "经现场核实,东门外晚间确有流动摊位"
    handler.locator("#id_reply-actions").fill("联合城管执法队清理摊位三处,设置提示牌")
    handler.locator('[data-action="reply"]').click()
    handler.wait_for_selector('[data-event="reply"]')
    assert handler.locator("[data-state]").inner_text() == "待审核"
    assert handler.locator('[data-reply-entry="1"][data-reply-status="pending"]').count() == 1
    _count(handler, "mine", 0)
    handler.screenshot(path=output_dir / "3-replied.png", full_page=True)
    unit.close()

    # 4. The reviewer approves it with one click; the case is closed and awaits callback.
    desk = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=VIEWPORT)
    reviewer = desk.new_page()
    reviewer.set_default_timeout(10_000)
    login(reviewer, "shenhe")
    _count(reviewer, "review", 1)
    reviewer.locator('#queue-nav [data-queue="review"]').click()
    reviewer.wait_for_url("**/queues/review/")
    reviewer.locator(f'[data-case="{case.pk}"]').click()
    reviewer.wait_for_url(f"**/cases/{case.pk}/")
    assert reviewer.locator("[data-review-findings]").inner_text() == "五要素齐全,未发现矛盾。"
    assert reviewer.locator("[data-override]").count() == 0  # nothing was submitted anyway
    reviewer.screenshot(path=output_dir / "4-review.png", full_page=True)
    reviewer.locator('[data-one-step] [data-action="approve"]').click()
    reviewer.wait_for_selector('[data-event="approve"]')
    assert reviewer.locator(".flash").first.inner_text() == "已审核通过。"
    assert reviewer.locator("[data-state]").inner_text() == "已办结"
    assert reviewer.locator("h1 + p [data-countdown]").count() == 0  # no clock runs now
    _count(reviewer, "review", 0)
    entries = reviewer.locator("[data-reply-entry]")
    assert entries.count() == 1  # the held-back draft never became a reply
    assert entries.first.locator("[data-reply-label]").inner_text() == "审核通过"
    rows = _timeline(reviewer)
    events = [(action, text.split(" ", 2)[2]) for action, text in rows]
    assert events == [
        ("receive", "系统 从市级平台接收工单"),
        ("sign", "zuoxi 签收"),
        ("dispatch", "zuoxi 派单给主办“华龙苑南里社区”"),
        ("reply", "shequ 提交办理结果:已解决"),
        ("approve", "shenhe 审核通过"),
    ]
    times = [" ".join(text.split(" ", 2)[:2]) for _, text in rows]
    assert times[0] == f"{timezone.localtime(case.received_at):%Y-%m-%d %H:%M}"
    assert times == sorted(times)
    reviewer.screenshot(path=output_dir / "4-approved.png", full_page=True)
    desk.close()

    # back at the operator's desk: the closed case waits for its callback
    page.goto("/queues/callback/")
    _count(page, "callback", 1)
    waiting = page.locator(f'[data-case-row="{case.pk}"]')
    assert waiting.locator(".state").inner_text() == "已办结"
    case.refresh_from_db()
    closed = f"{timezone.localtime(case.closed_at):%Y-%m-%d %H:%M}"
    assert waiting.locator('td.due[data-label="办结时间"]').inner_text() == closed
    page.screenshot(path=output_dir / "5-awaiting-callback.png", full_page=True)
    assert case.awaiting_callback_at == case.closed_at
    assert case.state == State.CLOSED
    assert case.reply["actions"] == "联合城管执法队清理摊位三处,设置提示牌"
    assert "override" not in case.reply
