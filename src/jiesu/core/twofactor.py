"""Two-factor login (等保 身份鉴别 c): a TOTP code (RFC 6238) after the password.

Who must use it is JIESU_2FA_ROLES; anyone may enrol. Between the password and the code the
session holds only the user's id and the time (`begin`), never a login, so a half-logged-in
user is anonymous to every page. Wrong codes count as failed logins in axes, so five of them
lock the account exactly as five wrong passwords do.
"""

import base64
import re
import time

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiesu.core.announce import security
from jiesu.core.scoping import reach_of

PENDING_USER = "jiesu_2fa_user"
PENDING_AT = "jiesu_2fa_at"
PENDING_BACKEND = "jiesu_2fa_backend"
PENDING_NEXT = "jiesu_2fa_next"
PENDING_KEYS = (PENDING_USER, PENDING_AT, PENDING_BACKEND, PENDING_NEXT)

DEVICE_NAME = "手机动态口令"
BACKUP_NAME = "备用码"
ALL = "all"
DEVICE_MODELS = (TOTPDevice, StaticDevice)


def required(user) -> bool:
    """Whether the user's roles oblige them to log in with a code (JIESU_2FA_ROLES)."""
    roles = set(settings.JIESU_2FA_ROLES)
    if not roles:
        return False
    if ALL in roles:
        return True
    held = set(reach_of(user).roles)
    if user.is_superuser:  # the Django admin is the administrator's, membership or not
        held.add("admin")
    return bool(held & roles)


def enrolled(user) -> bool:
    """A confirmed phone or backup codes; asked on every page of an unverified session."""
    return any(m.objects.filter(user=user, confirmed=True).exists() for m in DEVICE_MODELS)


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being set up: the same secret on every visit, so a phone that
    scanned it before a timeout still gives the right codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The key in base32, as the authenticator apps take it when typed in."""
    return base64.b32encode(device.bin_key).decode()


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as a QR code, an SVG in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def clean_code(text: str) -> str:
    """What the user typed, without spaces or dashes, lower case (backup codes are base32)."""
    return re.sub(r"[\s\-]", "", text or "").lower()


def verify(user, code: str):
    """The confirmed device that accepts the code (a 6-digit TOTP or a backup code), or None.
    A TOTP code is accepted once, within one 30-second step either way; a backup code once."""
    code = clean_code(code)
    if not code or len(code) > 16:
        return None
    kinds = (TOTPDevice,) if code.isdigit() and len(code) == 6 else (StaticDevice,)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kinds) and device.verify_token(code):
                return device
    return None


def confirm(device: TOTPDevice, code: str, *, request=None) -> list[str] | None:
    """Confirm a new device with its first code; returns fresh backup codes, or None."""
    code = clean_code(code)
    if not (code.isdigit() and len(code) == 6) or not device.verify_token(code):
        security("otp_failed", request=request, user=device.user, step="enrol")
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_backup_codes(device.user)
        security("otp_enrolled", request=request, user=device.user, target=device.user)
    return codes


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with JIESU_2FA_BACKUP_CODES new ones (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.JIESU_2FA_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def reset(user, *, request=None) -> int:
    """Remove every device of the user (lost phone); they enrol again at the next login."""
    with transaction.atomic():
        count = sum(
            model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
            for model in DEVICE_MODELS
        )
        security("otp_reset", request=request, target=user, devices=count)
    return count


# The half-logged-in state: who gave the right password, and when.


def begin(request, user, next_url: str) -> None:
    """Remember a right password for JIESU_2FA_PENDING_SECONDS, without logging in."""
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_AT] = int(time.time())
    request.session[PENDING_BACKEND] = getattr(user, "backend", "")
    request.session[PENDING_NEXT] = next_url


def pending_user(request):
    """The user between password and code, or None when there is none or it expired."""
    session = request.session
    at = session.get(PENDING_AT)
    if session.get(PENDING_USER) is None or at is None:
        return None
    if time.time() - at > settings.JIESU_2FA_PENDING_SECONDS:
        forget(request)
        return None
    return get_user_model().objects.filter(pk=session[PENDING_USER], is_active=True).first()


def forget(request) -> None:
    for key in PENDING_KEYS:
        request.session.pop(key, None)


def count_failure(request, user) -> bool:
    """A wrong code is a failed login: audited, and counted by axes. True when it locked."""
    username = user.get_username()
    security(
        "login_failed", request=request, username=username, username_tried=username, factor="otp"
    )
    AxesProxyHandler.user_login_failed(
        sender=count_failure, credentials={"username": username}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def locked(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()})


@checks.register(checks.Tags.security)
def check_roles(app_configs=None, **kwargs):
    """JIESU_2FA_ROLES must name roles that exist, or a typo silently turns 2FA off."""
    # the roles a membership may give, read from the model registry: core imports no org
    field = apps.get_model("org", "Membership")._meta.get_field("role")
    roles = [value for value, _ in field.choices]
    unknown = set(settings.JIESU_2FA_ROLES) - set(roles) - {ALL}
    if not unknown:
        return []
    known = ", ".join([*roles, ALL])
    return [
        checks.Error(
            f"JIESU_2FA_ROLES 中有不存在的岗位代码:{', '.join(sorted(unknown))}。可用:{known}",
            id="jiesu.E2FA",
        )
    ]
