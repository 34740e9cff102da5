"""An import killed midway leaves only whole cases, and running it again completes it."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from jiesu.cases.models import Case, CaseEvent
from jiesu.intake.importer import BATCH, import_file
from tests.intake.conftest import export_row

ROWS = 20 * BATCH


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_killed_import_leaves_whole_cases(org, people, categories, write_xlsx):
    path = write_xlsx([export_row(n) for n in range(1, ROWS + 1)], name="big.xlsx")
    env = dict(os.environ, DATABASE_URL=_database_url())
    command = [
        sys.executable,
        "-m",
        "jiesu.cli",
        "import",
        str(path),
        "--platform",
        "city",
        "--user",
        "zuoxi",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while Case.objects.count() < 2 * BATCH:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "导入没有开始"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    landed = Case.objects.count()
    assert 0 < landed < ROWS
    assert landed % BATCH == 0  # whole batches only
    receives = CaseEvent.objects.filter(action="receive")
    assert receives.count() == landed == receives.values("case").distinct().count()
    assert not Case.objects.filter(events__isnull=True).exists()

    run = import_file(path, platform="city", street=org["street"], user=people["zuoxi"])
    assert (run.created, run.unchanged, run.failed) == (ROWS - landed, landed, 0)
    assert Case.objects.count() == ROWS
    assert CaseEvent.objects.filter(action="receive").count() == ROWS
