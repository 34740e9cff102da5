"""Worker processes for the tests that show several workers take each job once: `jiesu
worker --once --now …` started together on the test's own PostgreSQL database."""

import os
import subprocess
import sys

from django.db import connection

QUIET = {
    "JIESU_BACKUP_HOUR": "24",  # no backup in these passes
    "JIESU_REPORT_DAILY_AT": "23:59",  # and no scheduled report, unless a test asks
    "JIESU_REPORT_WEEKLY_AT": "7 23:59",
    "JIESU_REPORT_MONTHLY_AT": "28 23:59",
    "JIESU_REPORT_FORMATS": "xlsx",
}


def run_workers(now: str, *, tmp_path, count: int = 2, **env) -> list[str]:
    """Start `count` workers at once for one pass at `now`; wait; return what each said.
    Each must end well."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        **QUIET,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "JIESU_MEDIA_ROOT": str(tmp_path / "media"),
        **env,
    }
    command = [sys.executable, "-m", "jiesu.cli", "worker", "--once", "--now", now]
    workers = [
        subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    said = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        said.append(out)
    return said
