"""/healthz: ok, degraded or down, for monitors without a login, fast, and saying no more
than needed."""

import datetime as dt
import json
import socket
import statistics
import time

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from jiesu.ops import jobs
from jiesu.ops.models import BackupKind, BackupRecord, BackupStatus, WorkerHeartbeat
from jiesu.ops.views import health_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds(settings):
    settings.JIESU_HEALTH_WORKER_SILENT_SECONDS = 300
    settings.JIESU_HEALTH_BACKUP_MAX_AGE_HOURS = 26
    settings.JIESU_HEALTH_DISK_FREE_BYTES = 1


def backed_up(hours_ago: float):
    when = timezone.now() - dt.timedelta(hours=hours_ago)
    BackupRecord.objects.create(
        kind=BackupKind.MANUAL, status=BackupStatus.DONE, started_at=when, finished_at=when
    )


def test_ok_with_a_fresh_heartbeat_and_backup(client, thresholds):
    jobs.heartbeat()
    backed_up(hours_ago=3)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["worker"]["ok"] and checks["disk"]["ok"]
    assert checks["backup"]["ok"] and checks["backup"]["age_hours"] == 3.0
    assert checks["disk"]["free_bytes"] > 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_says_no_path_host_version_or_person(client, thresholds, people):
    jobs.heartbeat()
    text = client.get("/healthz").content.decode()
    for secret in (str(settings.VAR_DIR), str(settings.MEDIA_ROOT), socket.gethostname()):
        assert secret not in text
    assert "version" not in text and "admin" not in text
    assert set(json.loads(text)["checks"]) == {"database", "worker", "disk", "backup"}


def test_degraded_when_the_worker_is_silent(client, thresholds):
    jobs.heartbeat(now=timezone.now() - dt.timedelta(minutes=6))
    backed_up(hours_ago=1)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["worker"]["last_seen"]
    assert body["checks"]["backup"]["ok"] is True


def test_degraded_without_a_recent_backup_or_enough_disk(client, thresholds, settings):
    jobs.heartbeat()
    backed_up(hours_ago=27)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["checks"]["backup"]["ok"] is False
    BackupRecord.objects.create(
        kind=BackupKind.DAILY,
        day=timezone.localdate(),
        status=BackupStatus.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    assert client.get("/healthz").json()["checks"]["backup"]["age_hours"] == 27.0
    backed_up(hours_ago=0)
    assert client.get("/healthz").json()["status"] == "ok"
    settings.JIESU_HEALTH_DISK_FREE_BYTES = 1024**5  # a petabyte
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["checks"]["disk"]["ok"] is False


def test_never_seen_worker_and_no_backup_is_degraded(client, thresholds):
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"] == {"last_seen": None, "ok": False}
    assert body["checks"]["backup"] == {"last_at": None, "age_hours": None, "ok": False}


@pytest.fixture
def unreachable():
    """A PostgreSQL connection to a port nobody listens on."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "jiesu",
        "USER": "jiesu",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": port,
        "OPTIONS": {"connect_timeout": 2},
    }
    connections["unreachable"] = DatabaseWrapper(config, "unreachable")
    yield "unreachable"
    connections["unreachable"].close()
    del connections["unreachable"]


def test_503_when_the_database_is_unreachable(unreachable, thresholds):
    response = health_response(unreachable)
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "down"
    assert body["checks"]["database"] == {"ok": False}
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["disk"]["ok"] is True


def test_needs_no_login_and_answers_quickly(client, thresholds, people):
    jobs.heartbeat()
    backed_up(hours_ago=1)
    client.get("/healthz")
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get("/healthz")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    assert statistics.median(timings) < 0.05, timings
    assert WorkerHeartbeat.objects.count() == 1
