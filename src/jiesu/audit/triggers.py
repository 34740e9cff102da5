"""The database's own refusal to change or delete audit rows, per database.

Created by migration 0002 and checked again after every `migrate` (a SQLite table rebuild
by a later migration would drop them). `jiesu audit verify` reports when they are missing.
"""

TABLE = "audit_auditevent"
MESSAGE = "审计日志只能追加,不能修改或删除"

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_NAMES = ("audit_event_no_update", "audit_event_no_delete")

POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}(%)', TG_OP USING ERRCODE = 'insufficient_privilege'; "
    "END $$",
    f"DROP TRIGGER IF EXISTS audit_event_no_change ON {TABLE}",
    f"CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()",
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse()",
]
POSTGRESQL_NAMES = ("audit_event_no_change", "audit_event_no_truncate")


def install(connection) -> None:
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor)
    if statements is None:
        raise RuntimeError(f"审计日志保护触发器不支持数据库 {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def missing(connection) -> list[str]:
    """The protecting triggers that are not in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            expected = SQLITE_NAMES
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled <> 'D'",
                [TABLE],
            )
            expected = POSTGRESQL_NAMES
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]


def ensure(connection) -> None:
    if missing(connection):
        install(connection)
