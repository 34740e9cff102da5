"""Session limits and forced password change for logged-in users (等保 身份鉴别)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from jiesu.core import twofactor
from jiesu.core.passwords import must_change

SESSION_STARTED = "jiesu_session_started"
SESSION_ACTIVE = "jiesu_session_active"
# Polls the page makes on its own: they neither count as activity nor keep a session alive.
PASSIVE_VIEWS = {"queue_counts", "import_progress"}
# How stale the stored last activity may get, so a busy user's session is not saved on every click.
ACTIVITY_GRANULARITY = 60
PASSWORD_VIEWS = {"password_change", "logout", "login", "otp_verify", "otp_enrol"}
# What a logged-in user whose second factor is missing may still open.
SECOND_FACTOR_VIEWS = {"otp_verify", "otp_enrol", "logout", "healthz"}

IDLE_MESSAGE = "长时间未操作,已自动退出,请重新登录。"


def start_session(session, now: float | None = None) -> None:
    """Stamp a fresh login's start and last activity (seconds since the epoch)."""
    now = int(now if now is not None else time.time())
    session[SESSION_STARTED] = now
    session[SESSION_ACTIVE] = now


def _is_api(request) -> bool:
    return "api" in request.resolver_match.namespaces


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _send_to(request, url: str, *, status: int, code: str, message: str):
    """Send the browser to `url`: a redirect for pages, HX-Redirect for htmx, JSON for the API."""
    if _is_api(request):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    if _is_htmx(request):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class ViewCheck:
    """A middleware that only looks at the view about to run (process_view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class SessionLimitMiddleware(ViewCheck):
    """Log out after JIESU_SESSION_IDLE_MINUTES without activity or JIESU_SESSION_MAX_HOURS."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        session = request.session
        now = int(time.time())
        if SESSION_STARTED not in session:  # a session from before these limits
            start_session(session, now)
            return None
        if now - session[SESSION_STARTED] >= settings.JIESU_SESSION_MAX_HOURS * 3600:
            hours = settings.JIESU_SESSION_MAX_HOURS
            return self.end(request, f"登录已超过 {hours} 小时,已自动退出,请重新登录。")
        idle = now - session.get(SESSION_ACTIVE, 0)
        if idle >= settings.JIESU_SESSION_IDLE_MINUTES * 60:
            return self.end(request, IDLE_MESSAGE)
        passive = request.resolver_match.view_name in PASSIVE_VIEWS and _is_htmx(request)
        if not passive and idle >= ACTIVITY_GRANULARITY:
            session[SESSION_ACTIVE] = now
        return None

    def end(self, request, message: str):
        logout(request)
        messages.warning(request, message)
        page = not _is_htmx(request) and not _is_api(request)
        if request.method == "GET" and page and request.resolver_match.view_name != "login":
            return redirect_to_login(request.get_full_path())
        return _send_to(
            request, settings.LOGIN_URL, status=401, code="session_expired", message=message
        )


class PasswordChangeMiddleware(ViewCheck):
    """A user whose password expired, or who must change it, reaches only the change page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if request.resolver_match.view_name in PASSWORD_VIEWS or not must_change(request.user):
            return None
        return _send_to(
            request,
            reverse("password_change"),
            status=403,
            code="password_expired",
            message="密码已过期或须修改:请先在网页上修改密码。",
        )


class SecondFactorMiddleware(ViewCheck):
    """A session logged in without its code (from before 2FA was required, or through a login
    form that does not ask for one) reaches only the code and enrolment pages."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in SECOND_FACTOR_VIEWS:
            return None
        if twofactor.enrolled(user):
            where = "otp_verify"
        elif twofactor.required(user):
            where = "otp_enrol"
        else:
            return None
        if _is_api(request) and request.headers.get("Authorization", "").startswith("Bearer "):
            # the token decides; the half-finished session must not stand in for a bad one
            request.user = AnonymousUser()
            return None
        return _send_to(
            request,
            reverse(where),
            status=403,
            code="second_factor_required",
            message="请先输入动态口令完成登录。",
        )
