from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "jiesu.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self):
        from jiesu.audit import signals

        signals.connect()
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="audit-triggers")


def _ensure_triggers(using="default", **kwargs):
    """A later migration that rebuilds the table on SQLite drops its triggers: put them back."""
    from django.db import connections

    from jiesu.audit import triggers

    connection = connections[using]
    if triggers.TABLE in connection.introspection.table_names():
        triggers.ensure(connection)
