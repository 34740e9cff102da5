"""The database refuses UPDATE and DELETE (and on PostgreSQL TRUNCATE) of audit rows."""

from django.db import migrations


def install(apps, schema_editor):
    from jiesu.audit import triggers

    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop, elidable=False)]
