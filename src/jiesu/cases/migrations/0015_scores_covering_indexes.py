"""The period scores' indexes carry the columns the scores count by (PostgreSQL only).

assessment.queries.scores groups a parent's cases of a period by child and by the values
their counts depend on; with these columns in the (street or district, date) indexes
PostgreSQL answers from the index alone (an index-only scan) instead of reading a table page
for nearly every case. SQLite has no INCLUDE and keeps the plain indexes, so the model
declares them plain; the index names stay the same.
"""

from django.db import migrations, models

SCORED = "evaluation_type, callback_valid, callback_contacted, callback_solved, callback_satisfaction, id"
COVERING = {
    "case_street_received": ("street_id, received_at", f"lead_unit_id, {SCORED}"),
    "case_district_received": ("district_id, received_at", f"street_id, {SCORED}"),
    "case_street_closed": ("street_id, closed_at", "lead_unit_id"),
    "case_district_closed": ("district_id, closed_at", "street_id"),
}


def _rebuild(schema_editor, covering: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (key, included) in COVERING.items():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        include = f" INCLUDE ({included})" if covering else ""
        schema_editor.execute(f'CREATE INDEX "{name}" ON "cases_case" ({key}){include}')


def covering(apps, schema_editor):
    _rebuild(schema_editor, True)


def plain(apps, schema_editor):
    _rebuild(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_closed_at_indexes"),
        ("org", "0004_membership_validity"),
    ]

    operations = [
        migrations.RunPython(covering, plain),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["district", "state", "current_due_at"], name="case_district_queue"
            ),
        ),
    ]
