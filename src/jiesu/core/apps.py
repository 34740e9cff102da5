from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiesu.core"
    label = "core"
    verbose_name = "基础设置"

    def ready(self):
        from jiesu.core import signals  # noqa: F401
