"""Password rules (等保 身份鉴别) with Chinese messages, and password age.

The rules are AUTH_PASSWORD_VALIDATORS; `PasswordAge` records each change through Django's
`password_changed` hook, which runs whenever a user's new password is saved.
"""

import datetime as dt
import string

from django.conf import settings
from django.contrib.auth import password_validation as django_rules
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiesu.core.models import PasswordState


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短:至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"至少 {self.min_length} 个字符。"


CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and other symbols the password uses."""
    chars = set(password)
    used = sum(1 for _, members in CLASSES if chars & members)
    known = set().union(*(members for _, members in CLASSES))
    return used + (1 if chars - known else 0)


class CharacterClassesValidator:
    """At least `min_classes` of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class UserAttributeSimilarityValidator(django_rules.UserAttributeSimilarityValidator):
    """Not the username, not containing it, not close to the user's name or e-mail."""

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")
        super().validate(password, user)

    def get_error_message(self):
        return "密码与用户名或姓名太相似,请换一个。"

    def get_help_text(self):
        return "不能包含用户名,也不能与姓名相似。"


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_error_message(self):
        return "这个密码太常见,容易被猜中,请换一个。"

    def get_help_text(self):
        return "不能是常见密码。"


class PasswordAge:
    """Not a rule: records when a user's password changed (Django calls it on every save)."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            PasswordState.objects.update_or_create(
                user=user, defaults={"changed_at": timezone.now()}
            )


def must_change(user, now: dt.datetime | None = None) -> bool:
    """Whether the user's password is past its age or was marked by the administrator."""
    state = PasswordState.objects.filter(user=user).first()
    if state is not None and state.must_change:
        return True
    days = settings.JIESU_PASSWORD_MAX_AGE_DAYS
    if days <= 0:
        return False
    changed_at = state.changed_at if state is not None else user.date_joined
    return changed_at + dt.timedelta(days=days) <= (now or timezone.now())


def password_changed_by_user(user) -> None:
    """The user chose a new password themselves: the administrator's mark is cleared."""
    PasswordState.objects.update_or_create(
        user=user, defaults={"changed_at": timezone.now(), "must_change": False}
    )
