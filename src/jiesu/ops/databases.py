"""The database half of a backup: a consistent copy, its row counts and migration state, and
putting a copy back. SQLite through its online backup API, PostgreSQL through pg_dump and
pg_restore reading one exported snapshot."""

import functools
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from jiesu.ops.errors import BackupError

VENDORS = {"sqlite": "jiesu.sqlite3", "postgresql": "jiesu.pgdump"}


@dataclass
class Snapshot:
    vendor: str
    path: Path
    counts: dict[str, int]
    migrations: dict[str, str]


def snapshot(using: str, work_dir: Path) -> Snapshot:
    """Copy the database into `work_dir` as it is at one moment, with what it holds."""
    vendor = connections[using].vendor
    if vendor not in VENDORS:
        raise BackupError(f"不支持备份 {vendor} 数据库,只支持 SQLite 和 PostgreSQL。")
    path = work_dir / VENDORS[vendor]
    if vendor == "sqlite":
        return _sqlite_snapshot(using, path)
    return _postgresql_snapshot(using, path)


def restore(using: str, path: Path, vendor: str) -> None:
    """Replace the whole content of the `using` database with the copy at `path`."""
    connection = connections[using]
    if connection.vendor != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份来自 {names.get(vendor, vendor)} 数据库,当前配置的是 "
            f"{names.get(connection.vendor, connection.vendor)},不能直接恢复。"
        )
    connection.close()
    if vendor == "sqlite":
        _sqlite_restore(using, path)
    else:
        _postgresql_restore(using, path)
    connection.close()


def table_counts(using: str, tables=None) -> dict[str, int]:
    """Rows per table: every table of the database, or the given ones (None when missing)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        counts = {}
        for table in sorted(present if tables is None else tables):
            if table not in present:
                counts[table] = None
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def office_rows(using: str) -> dict[str, int]:
    """The office's own records already in the database: users, units and cases.

    Migrations seed reference rows (policies, scoring rules), so "empty" means none of these."""
    from django.contrib.auth import get_user_model

    from jiesu.cases.models import Case
    from jiesu.org.models import Unit

    connection = connections[using]
    present = set(connection.introspection.table_names())
    found = {}
    for label, model in (("用户", get_user_model()), ("单位", Unit), ("工单", Case)):
        if model._meta.db_table in present:
            count = model.objects.using(using).count()
            if count:
                found[label] = count
    return found


# SQLite


def _sqlite_path(using: str) -> str:
    name = str(connections[using].settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复。")
    return name


def _sqlite_snapshot(using: str, path: Path) -> Snapshot:
    # One backup step for the whole file: a WAL reader sees one moment while writers go on.
    source = sqlite3.connect(_sqlite_path(using), timeout=20)
    copy = sqlite3.connect(path)
    try:
        source.backup(copy)
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        migrations = _latest_migrations(
            copy.execute("SELECT app, name FROM django_migrations ORDER BY id")
        )
    finally:
        copy.close()
        source.close()
    return Snapshot("sqlite", path, counts, migrations)


def _sqlite_restore(using: str, path: Path) -> None:
    # The backup API in reverse: the live file's pages are replaced in one locked step, so a
    # reader never sees half of it. Processes still running keep caches of the old content,
    # hence the rule that web and worker are stopped first (docs/deploy.md).
    source = sqlite3.connect(path)
    target = sqlite3.connect(_sqlite_path(using), timeout=20)
    try:
        source.backup(target)
    except sqlite3.Error as err:
        raise BackupError(
            f"写入 SQLite 数据库失败:{err}。请先停止 jiesu 的网站和后台任务。"
        ) from None
    finally:
        target.close()
        source.close()


def _latest_migrations(rows) -> dict[str, str]:
    latest = {}
    for app, name in rows:
        latest[app] = name
    return dict(sorted(latest.items()))


# PostgreSQL


def _postgresql_snapshot(using: str, path: Path) -> Snapshot:
    # A connection of its own exports a repeatable-read snapshot; pg_dump reads that same
    # snapshot, so the counts in the manifest describe exactly the rows in the dump.
    connection = connections.create_connection(using)
    try:
        connection.ensure_connection()
        connection.set_autocommit(False)
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = {}
            for table in sorted(connection.introspection.table_names(cursor)):
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = _latest_migrations(cursor.fetchall())
            _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-password",
                 f"--snapshot={snapshot_id}", f"--file={path}"],
                connection.settings_dict,
                "pg_dump",
            )  # fmt: skip
        connection.rollback()
    finally:
        connection.close()
    return Snapshot("postgresql", path, counts, migrations)


def _postgresql_restore(using: str, path: Path) -> None:
    settings_dict = connections[using].settings_dict
    _run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", "--no-password",
         f"--dbname={settings_dict['NAME']}", str(path)],
        settings_dict,
        "pg_restore",
    )  # fmt: skip


def _run(command: list[str], settings_dict: dict, tool: str) -> None:
    done = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise BackupError(f"{tool} 失败:{' '.join(detail[-3:]) or done.returncode}")


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """The connection for pg_dump/pg_restore, password included, through the environment only:
    a command line is visible to every user of the machine."""
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    return env


@functools.cache
def _pg_tool(name: str) -> str:
    """The newest `name` among Debian's /usr/lib/postgresql/*/bin and PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    best, best_version = None, ()
    for candidate in candidates:
        try:
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
        except OSError:
            continue
        found = re.search(r"(\d+)(?:\.(\d+))?", out)
        version = tuple(int(part) for part in found.groups() if part) if found else ()
        if best is None or version > best_version:
            best, best_version = candidate, version
    if best is None:
        raise BackupError(f"找不到 {name}:请安装 PostgreSQL 客户端(Debian:postgresql-client)。")
    return best
