from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "jiesu.supervision"
    label = "supervision"
    verbose_name = "督办与提醒"

    def ready(self):
        from jiesu.supervision import approvals

        approvals.subscribe()
