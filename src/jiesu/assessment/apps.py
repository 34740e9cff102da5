from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jiesu.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from jiesu.assessment import callbacks, rules
        from jiesu.assessment.models import ScoringRule
        from jiesu.cases import queues, workflow

        for signal in (post_save, post_delete):
            signal.connect(lambda **kw: rules.clear_cache(), sender=ScoringRule, weak=False)
        workflow.subscribe("callback", callbacks.on_callback)
        queues.register_period_start(lambda now: rules.period_bounds(rules.period_of(now))[0])
