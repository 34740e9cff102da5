"""The user's own password change page (修改密码)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse_lazy

from jiesu.core.passwords import must_change, password_changed_by_user


class PasswordChange(PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("case_list")

    def get_context_data(self, **kwargs):
        rules = [text for text in password_validation.password_validators_help_texts() if text]
        return super().get_context_data(
            forced=must_change(self.request.user),
            max_age_days=settings.JIESU_PASSWORD_MAX_AGE_DAYS,
            rules=rules,
            **kwargs,
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed_by_user(self.request.user)
        messages.success(self.request, "密码已修改。")
        return response
