"""The worker's heartbeat comes from a thread of its own: a long job never reads as death."""

import os
import secrets
import subprocess
import sys
import time

JIESU = [sys.executable, "-m", "jiesu.cli"]


def test_heartbeat_goes_on_while_the_loop_is_busy(tmp_path):
    env = dict(
        os.environ,
        JIESU_VAR_DIR=str(tmp_path),
        JIESU_SECRET_KEY=secrets.token_urlsafe(50),
        JIESU_WORKER_HEARTBEAT_SECONDS="1",
        JIESU_BACKUP_HOUR="24",  # no backup in this test
    )
    env.pop("DATABASE_URL", None)
    subprocess.run([*JIESU, "migrate", "-v0"], env=env, check=True, timeout=120)
    query = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'jiesu.settings';"
        "django.setup(); from jiesu.ops.models import WorkerHeartbeat as H;"
        "print(H.objects.values_list('last_seen', flat=True).first() or '')"
    )

    def last_seen() -> str:
        done = subprocess.run(
            [sys.executable, "-c", query], env=env, capture_output=True, text=True, timeout=60
        )
        return done.stdout.strip()

    # one round, then a sleep of an hour: only the thread can beat from here on
    worker = subprocess.Popen(
        [*JIESU, "worker", "--interval", "3600"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (first := last_seen()):
            assert time.monotonic() < deadline, "没有心跳"
            time.sleep(0.5)
        time.sleep(3)
        assert last_seen() > first
    finally:
        worker.terminate()
        worker.wait(30)
