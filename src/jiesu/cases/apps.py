from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiesu.cases"
    label = "cases"
    verbose_name = "工单"

    def ready(self):
        from jiesu.core.announce import calendar_changed

        calendar_changed.connect(_reschedule, dispatch_uid="cases-reschedule")


def _reschedule(sender, years, **kwargs) -> int:
    """The official calendar of these years changed: recompute open cases' due times."""
    from jiesu.cases.deadlines import reschedule_year

    return sum(reschedule_year(y) for y in years)
