"""Clocks in words, hand-computed: whole units counted down, days as 天 and 小时."""

import datetime as dt

import pytest

from jiesu.cases.templatetags.clocks import clock, clock_words
from tests.conftest import at

NOW = at("2026-03-02 09:00")
S, M, H, D = 1, 60, 3600, 86400


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "还剩 不到1分"),  # at the due time the case is not late yet
        (59 * S, "还剩 不到1分"),
        (60 * S, "还剩 1分"),
        (2 * H + 15 * M, "还剩 2小时15分"),
        (2 * H + 15 * M + 59 * S, "还剩 2小时15分"),  # never rounded up
        (2 * H, "还剩 2小时"),
        (D - 1 * S, "还剩 23小时59分"),
        (D, "还剩 1天"),
        (D + 1 * H + 30 * M, "还剩 1天1小时"),  # from a day on: days and hours only
        (15 * D, "还剩 15天"),
        (-1 * S, "已超期 不到1分"),
        (-59 * S, "已超期 不到1分"),
        (-10 * M, "已超期 10分"),
        (-(3 * D + 4 * H), "已超期 3天4小时"),
        (-(3 * D + 4 * H + 59 * M), "已超期 3天4小时"),
    ],
)
def test_words(seconds, words):
    assert clock_words(NOW + dt.timedelta(seconds=seconds), NOW) == words


def test_the_filter_marks_lateness_for_the_page_script():
    due = NOW - dt.timedelta(days=3, hours=4)
    assert clock(due, NOW) == (
        '<span class="countdown late" data-countdown="2026-02-27T05:00:00+08:00">'
        "已超期 3天4小时</span>"
    )
    ahead = clock(NOW + dt.timedelta(hours=2, minutes=15), NOW)
    assert 'class="countdown"' in ahead and ">还剩 2小时15分<" in ahead
    assert clock(None, NOW) == ""
