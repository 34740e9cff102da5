from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "jiesu.dashboard"
    label = "dashboard"
    verbose_name = "数据看板"
