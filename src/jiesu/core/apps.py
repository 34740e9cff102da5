from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiesu.core"
    label = "core"
    verbose_name = "基础设置"

    def ready(self):
        from jiesu.core import signals  # noqa: F401

        _hide_device_admins()


def _hide_device_admins() -> None:
    """django-otp's own admin pages show a phone's secret and its backup codes and let staff
    add codes to another person's device. The users' page has "重置动态口令" instead."""
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
