from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiesu.cases"
    label = "cases"
    verbose_name = "工单"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from jiesu.cases import deadlines
        from jiesu.cases.models import DeadlinePolicy

        for signal in (post_save, post_delete):
            signal.connect(lambda **kw: deadlines.clear_cache(), sender=DeadlinePolicy, weak=False)
