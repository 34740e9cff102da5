"""An office with cases, timeline, users and attachments on disk, and a second, empty database
to restore into (a second file on SQLite, a second database in the same server on PostgreSQL)."""

import hashlib
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from jiesu.cases import services, workflow

TARGET = "restore_target"


def png(seed: int) -> bytes:
    """A real one-pixel PNG, different for each seed."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, (seed * 7) % 256, 200]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


def media_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def office(people, make_case, org):
    """Three cases with a timeline, two attachments through the case service, and a larger file
    written straight into MEDIA_ROOT."""
    cases = [make_case(), make_case(caller_name="李四"), make_case(title="路灯不亮")]
    workflow.sign(cases[0], by=people["zuoxi"])
    workflow.dispatch(cases[0], by=people["zuoxi"], lead_unit=org["hly"])
    services.store_attachment(cases[0], by=people["zuoxi"], name="现场.png", data=png(1))
    services.store_attachment(cases[1], by=people["zuoxi"], name="照片.png", data=png(2))
    big = Path(settings.MEDIA_ROOT) / "imports" / "2026" / "市级平台导出.xlsx"
    big.parent.mkdir(parents=True)
    big.write_bytes(bytes(range(256)) * 12_000)  # 3 MB, more than one encrypted chunk
    return cases


def _register_target() -> None:
    """A second alias, so the test runner creates (and migrates) a second test database."""
    base = connections.settings["default"]
    target = {**base, "NAME": f"{base['NAME']}_restore", "TEST": dict(base.get("TEST") or {})}
    if base["ENGINE"].endswith("sqlite3"):
        target["TEST"]["NAME"] = str(settings.VAR_DIR / f"test-{os.getpid()}-restore.sqlite3")
    connections.settings.setdefault(TARGET, target)


_register_target()
restores = pytest.mark.django_db(transaction=True, databases=["default", TARGET])


@pytest.fixture
def target_db():
    """The second database, migrated and empty, that a test restores into."""
    return TARGET
