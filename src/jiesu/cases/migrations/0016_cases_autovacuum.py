"""Vacuum the case table after 1 % of its rows changed or arrived (PostgreSQL only).

The period scores and the dashboard count from indexes alone (migration 0015), which skips
the table only for pages the last VACUUM marked all-visible; every update of a case clears
its page's mark. With the defaults autovacuum waits for 20 % of the table (400,000 changed
cases at 2,000,000), so the current period's pages would stay unmarked for days and be read
again (at 2,000,000 cases: a district's scores of a wholly touched period 172 ms against 59
ms once vacuumed). One percent keeps the marks near current at the cost of more frequent,
smaller vacuums, which read only the pages changed since the last.
"""

from django.db import migrations

SETTINGS = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor")


def frequent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        values = ", ".join(f"{name} = 0.01" for name in SETTINGS)
        schema_editor.execute(f"ALTER TABLE cases_case SET ({values})")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_case RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_scores_covering_indexes")]

    operations = [migrations.RunPython(frequent, default)]
