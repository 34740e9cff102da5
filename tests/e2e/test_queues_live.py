"""A new case appears in the operator's queue count by itself, with a visual cue; every
clock in the queue reads in words and the page keeps them current."""

import datetime as dt

import pytest
from django.utils import timezone

from jiesu.cases.templatetags.clocks import clock_words
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_new_arrival_shows_without_reload(page, people, make_case, settings, output_dir):
    settings.JIESU_POLL_SECONDS = 1
    now = timezone.now()
    # 10.5 minutes into its 30-minute sign clock: 19 whole minutes left for half a minute
    fresh = make_case(title="楼道堆物", received_at=now - dt.timedelta(minutes=10, seconds=30))
    page.goto("/login/")
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("pw-zuoxi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cases/")
    page.locator('[data-queue="received"]').click()
    page.wait_for_url("**/queues/received/")
    received = page.locator('#queue-nav [data-queue="received"]')
    page.wait_for_function(
        "() => document.querySelector('#queue-nav [data-queue=received]').dataset.count === '1'"
    )
    countdown = page.locator(f'[data-case-row="{fresh.pk}"] [data-countdown]')
    assert countdown.inner_text() == "还剩 19分" == clock_words(fresh.sign_due_at, timezone.now())

    make_case(title="供暖不热")
    page.wait_for_function(
        "() => document.querySelector('#queue-nav [data-queue=received]').dataset.count === '2'"
    )
    assert received.get_attribute("data-new") == "1"
    assert "new-arrival" in received.get_attribute("class")
    page.screenshot(path=output_dir / "new-arrival.png")


def test_the_page_redraws_clocks_in_the_same_words(page, people, make_case):
    now = timezone.now()
    late = make_case(received_at=now - dt.timedelta(days=3, hours=4, minutes=45))
    login(page, "zuoxi")
    for url in ("/queues/received/", f"/cases/{late.pk}/"):
        page.goto(url)
        clock = page.locator("[data-countdown]").first
        assert clock.inner_text() == "已超期 3天4小时"  # 30 min sign clock, 3 d 4 h 15 min ago
        assert "late" in clock.get_attribute("class")

    # the script redraws every clock with the filter's words (half a minute from any flip)
    spans = [
        dt.timedelta(seconds=30),
        dt.timedelta(hours=2, minutes=15, seconds=30),
        dt.timedelta(days=1, seconds=30),
        -dt.timedelta(minutes=10, seconds=30),
        -dt.timedelta(days=3, hours=4, seconds=30),
    ]
    dues = [(timezone.now() + span).isoformat() for span in spans]
    page.evaluate(
        """dues => dues.forEach((due, i) => document.querySelector('main').insertAdjacentHTML(
             'beforeend', `<span class="countdown" data-probe="${i}" data-countdown="${due}"></span>`))""",
        dues,
    )
    page.wait_for_function("() => document.querySelector('[data-probe]').textContent !== ''")
    drawn = [page.locator(f'[data-probe="{i}"]').inner_text() for i in range(len(dues))]
    now = timezone.now()
    assert drawn == [clock_words(dt.datetime.fromisoformat(due), now) for due in dues]
    assert drawn == ["还剩 不到1分", "还剩 2小时15分", "还剩 1天", "已超期 10分", "已超期 3天4小时"]
