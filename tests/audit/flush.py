"""The test database's flush, the one DELETE/TRUNCATE of the audit table jiesu allows.

pytest-django empties the database after each transactional test with Django's `flush`:
DELETE on SQLite, TRUNCATE on PostgreSQL, both refused by the audit log's triggers. Only
here, in the tests, does the flush lift the triggers and put them back in the same
transaction; nothing in jiesu itself can.
"""

from django.db import connection

from jiesu.audit import triggers

AROUND = {
    "sqlite": (
        [f"DROP TRIGGER IF EXISTS {name}" for name in triggers.SQLITE_NAMES],
        triggers.SQLITE,
    ),
    "postgresql": (
        [f"ALTER TABLE {triggers.TABLE} DISABLE TRIGGER audit_event_no_truncate"],
        [f"ALTER TABLE {triggers.TABLE} ENABLE TRIGGER audit_event_no_truncate"],
    ),
}


def lift_triggers_during_flush() -> None:
    ops = type(connection.ops)
    if getattr(ops.sql_flush, "lifts_audit_triggers", False):
        return
    original = ops.sql_flush
    before, after = AROUND[connection.vendor]

    def sql_flush(self, style, tables, *args, **kwargs):
        statements = original(self, style, tables, *args, **kwargs)
        if triggers.TABLE not in tables or not statements:
            return statements
        return [*before, *statements, *after]

    sql_flush.lifts_audit_triggers = True
    ops.sql_flush = sql_flush
