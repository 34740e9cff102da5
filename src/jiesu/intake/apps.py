from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "jiesu.intake"
    label = "intake"
    verbose_name = "工单接收"
