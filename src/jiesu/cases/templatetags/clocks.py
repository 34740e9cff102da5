"""`{{ case.current_due_at|clock }}`: a running clock in words, "还剩 2小时15分" or
"已超期 3天4小时", the same on the case page and in every queue.

Whole units only, counted down (2 h 15 min 59 s left reads 2小时15分): days and hours from a
day on, hours and minutes below it, "不到1分" under a minute. static/jiesu/app.js redraws
the words every few seconds with the same rule (tests/e2e/test_queues_live.py compares).
"""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

MINUTE, HOUR, DAY = 60, 3600, 86400


def span_words(seconds: int) -> str:
    """A non-negative span in whole days and hours, or hours and minutes."""
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分" if minutes else "不到1分"


def clock_words(due: dt.datetime, now: dt.datetime) -> str:
    """还剩 … until `due`, 已超期 … after it (at the due time itself the case is not late)."""
    if due >= now:
        return f"还剩 {span_words(int((due - now).total_seconds()))}"
    return f"已超期 {span_words(int((now - due).total_seconds()))}"


@register.filter
def clock(due, now=None):
    """The words in a span the page's script keeps current; nothing when no clock runs."""
    if not due:
        return ""
    now = now or timezone.now()
    return format_html(
        '<span class="countdown{}" data-countdown="{}">{}</span>',
        " late" if due < now else "",
        due.isoformat(),
        clock_words(due, now),
    )
