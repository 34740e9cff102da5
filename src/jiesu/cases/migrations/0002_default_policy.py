import datetime

from django.db import migrations


def create_default_policy(apps, schema_editor):
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    if not DeadlinePolicy.objects.exists():
        DeadlinePolicy.objects.create(
            effective_from=datetime.date(2021, 9, 24), supervision_hours=[2, 24, 168]
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
