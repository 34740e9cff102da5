from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jiesu.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self):
        from jiesu.assessment import callbacks, rules
        from jiesu.cases import queues, workflow

        workflow.subscribe("callback", callbacks.on_callback)
        queues.register_period_start(lambda now: rules.period_bounds(rules.period_of(now))[0])
