"""Login lockout (等保 身份鉴别): per account at a low threshold, per address at a high one.

django-axes counts failures per username (AXES_LOCKOUT_PARAMETERS = ["username"]); this
handler adds the per-address count from the same AccessAttempt rows, because an office's
desks share one address and must not lock each other out at the account's threshold.
"""

import datetime as dt

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, also locking an address after JIESU_LOGIN_IP_FAILURE_LIMIT."""

    def address_attempts(self, request):
        return AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )

    def address_locked(self, request) -> bool:
        failures = self.address_attempts(request).aggregate(n=Sum("failures_since_start"))["n"]
        return (failures or 0) >= settings.JIESU_LOGIN_IP_FAILURE_LIMIT

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or not self.address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def locked_until(request, credentials) -> dt.datetime:
    """When the lock on this account or address ends at the latest."""
    username = get_client_username(request, credentials)
    handler = LockoutHandler()
    latest = (
        (AccessAttempt.objects.filter(username=username) | handler.address_attempts(request))
        .filter(attempt_time__gte=get_cool_off_threshold(request))
        .aggregate(at=Max("attempt_time"))["at"]
    )
    return (latest or timezone.now()) + get_cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, status 429, saying until when the login is refused."""
    until = timezone.localtime(locked_until(request, credentials))
    wait = max(1, int((until - timezone.now()).total_seconds()))
    when = f"{until:%H:%M}" if until.date() == timezone.localdate() else f"{until:%m月%d日 %H:%M}"
    if LockoutHandler().address_locked(request):
        what = "本机所在地址的登录失败次数过多,已暂时禁止从该地址登录"
    else:
        what = "登录失败次数过多,该账号已暂时锁定"
    message = f"{what}。请于 {when} 后再试,或联系系统管理员解锁。"
    context = {
        "lockout_message": message,
        "username": get_client_username(request, credentials) or "",
        "next": request.POST.get("next", ""),
    }
    response = render(request, "web/login.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
