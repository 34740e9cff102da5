"""The login with a second step (动态口令), enrolment, and the user's own 2FA page."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from jiesu.audit.log import record
from jiesu.audit.models import Kind
from jiesu.core import twofactor
from jiesu.core.lockout import lockout_response
from jiesu.web.forms import LoginForm

EXPIRED = "登录已超时,请重新输入用户名和密码。"
WRONG = "动态口令不正确,请输入手机上当前显示的 6 位数字,或一个未用过的备用码。"


class Login(LoginView):
    """Username and password; a user with a device, or who must have one, goes on to the code."""

    template_name = "web/login.html"
    authentication_form = LoginForm

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.enrolled(user):
            step = "otp_verify"
        elif twofactor.required(user):
            step = "otp_enrol"
        else:
            return super().form_valid(form)
        twofactor.begin(self.request, user, self.get_success_url())
        return redirect(step)


def _subject(request):
    """Who is between password and code: the pending user, or a logged-in but unverified one
    (a session from before 2FA). Returns (user, pending)."""
    user = request.user
    if user.is_authenticated:
        return (None if user.is_verified() else user), False
    return twofactor.pending_user(request), True


def _finish(request, user, device, pending: bool):
    """The second factor is given: log in (if not yet) and mark the session verified."""
    next_url = request.session.get(twofactor.PENDING_NEXT) or settings.LOGIN_REDIRECT_URL
    if pending:
        backend = request.session.get(twofactor.PENDING_BACKEND) or None
        twofactor.forget(request)
        login(request, user, backend=backend or "django.contrib.auth.backends.ModelBackend")
    django_otp.login(request, device)
    return next_url


def _locked(request, user, pending: bool):
    twofactor.forget(request)
    if not pending:
        logout(request)
    return lockout_response(request, credentials={"username": user.get_username()})


@never_cache
@sensitive_post_parameters("code")
def otp_verify(request):
    """/login/2fa/: the 6-digit code from the phone, or a backup code."""
    user, pending = _subject(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.warning(request, EXPIRED)
        return redirect("login")
    if not twofactor.enrolled(user):
        return redirect("otp_enrol")
    error = ""
    if request.method == "POST":
        if twofactor.locked(request, user):
            return _locked(request, user, pending)
        device = twofactor.verify(user, request.POST.get("code", ""))
        if device is not None:
            kind = "backup" if isinstance(device, StaticDevice) else "totp"
            next_url = _finish(request, user, device, pending)
            left = twofactor.backup_codes_left(user)
            record(Kind.OTP_OK, request=request, user=user, device=kind, backup_codes_left=left)
            if kind == "backup":
                messages.warning(
                    request, f"已使用一个备用码,还剩 {left} 个。可在“动态口令”页重新生成。"
                )
            return redirect(next_url)
        if twofactor.count_failure(request, user):
            return _locked(request, user, pending)
        error = WRONG
    status = 400 if error else 200
    context = {"error": error, "subject": user, "second_step": True}
    return render(request, "web/otp_verify.html", context, status=status)


@never_cache
@sensitive_post_parameters("code")
def otp_enrol(request):
    """/login/2fa/enrol/: the QR code and the secret, then a first code to confirm."""
    user, pending = _subject(request)
    if user is None and request.user.is_authenticated:
        user = request.user  # enrolling by choice
    if user is None:
        messages.warning(request, EXPIRED)
        return redirect("login")
    if twofactor.enrolled(user):
        return redirect("otp_verify" if pending else "otp_account")
    device = twofactor.enrolment_device(user)
    required = twofactor.required(user)
    error = ""
    if request.method == "POST":
        codes = twofactor.confirm(device, request.POST.get("code", ""), request=request)
        if codes is not None:
            next_url = _finish(request, user, device, pending)
            if not pending:
                next_url = reverse("otp_account")
            return render(
                request, "web/otp_backup_codes.html", {"codes": codes, "next_url": next_url}
            )
        error = "动态口令不正确。请确认手机时间准确,输入应用中当前显示的 6 位数字。"
    context = {
        "error": error,
        "subject": user,
        "qr": twofactor.qr_data_uri(device),
        "secret": twofactor.secret(device),
        "required": required,
        "pending": pending,
        # the navigation would lead nowhere while the middleware holds this user back
        "second_step": pending or (required and not request.user.is_verified()),
        "issuer": settings.OTP_TOTP_ISSUER,
        "minutes": settings.JIESU_2FA_PENDING_SECONDS // 60,
    }
    return render(request, "web/otp_enrol.html", context, status=400 if error else 200)


@login_required
def otp_account(request):
    """/account/2fa/: the user's device, backup codes left, and a new set of codes."""
    context = {
        "device": twofactor.totp_device(request.user),
        "backup_left": twofactor.backup_codes_left(request.user),
        "required": twofactor.required(request.user),
    }
    return render(request, "web/otp_account.html", context)


def _locked_out(request):
    """Too many wrong codes: the session ends, as a lockout at login would."""
    logout(request)
    messages.error(
        request, "动态口令错误次数过多,账号已暂时锁定并退出。请稍后再试,或联系系统管理员解锁。"
    )
    return redirect_to_login(reverse("otp_account"))


@login_required
@require_POST
@sensitive_post_parameters("code")
def otp_backup_codes(request):
    """New backup codes, after a current code: a desk left open cannot print them."""
    user = request.user
    if not twofactor.enrolled(user):
        return redirect("otp_enrol")
    if twofactor.locked(request, user):
        return _locked_out(request)
    code = twofactor.clean_code(request.POST.get("code", ""))
    # only a phone code: a backup code typed here would be spent for nothing
    device = twofactor.verify(user, code) if code.isdigit() and len(code) == 6 else None
    if device is None:
        record(Kind.OTP_FAILED, request=request, user=user, step="backup_codes")
        # a wrong code here counts like one at login, so an open desk cannot be guessed on
        if twofactor.count_failure(request, user):
            return _locked_out(request)
        context = {
            "device": twofactor.totp_device(user),
            "backup_left": twofactor.backup_codes_left(user),
            "required": twofactor.required(user),
            "error": "动态口令不正确:重新生成备用码须输入手机上当前显示的 6 位数字。",
        }
        return render(request, "web/otp_account.html", context, status=400)
    codes = twofactor.new_backup_codes(user)
    record(Kind.OTP_ENROLLED, request=request, user=user, target=user, backup_codes="renewed")
    return render(
        request, "web/otp_backup_codes.html", {"codes": codes, "next_url": reverse("otp_account")}
    )
