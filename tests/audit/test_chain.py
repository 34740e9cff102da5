"""The hash chain, computed by hand, and `jiesu audit verify` before and after tampering."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import connection

from jiesu.audit import triggers
from jiesu.audit.log import record
from jiesu.audit.models import AuditEvent


def by_hand(row: AuditEvent, prev_hash: str) -> str:
    text = json.dumps(
        {
            "actor_id": row.actor_id,
            "actor_roles": row.actor_roles,
            "actor_username": row.actor_username,
            "at": row.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            "detail": row.detail,
            "id": row.id,
            "ip": row.ip,
            "kind": row.kind,
            "prev_hash": prev_hash,
            "target_id": row.target_id,
            "target_repr": row.target_repr,
            "target_type": row.target_type,
            "user_agent": row.user_agent,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_each_hash_covers_the_row_and_the_previous_hash(people):
    start = AuditEvent.objects.count()
    first = record("export", user=people["zuoxi"], what="工单台账", count=3)
    second = record("export", user=people["zuzhang"], what="考核成绩", count=19)

    rows = list(AuditEvent.objects.filter(id__in=[first.id, second.id]).order_by("id"))
    assert [r.id for r in rows] == [start + 1, start + 2]
    assert rows[0].hash == by_hand(rows[0], rows[0].prev_hash)
    assert rows[1].prev_hash == rows[0].hash
    assert rows[1].hash == by_hand(rows[1], rows[0].hash)
    assert rows[1].actor_username == "zuzhang"
    assert rows[1].actor_roles == "组长@霍营街道"
    assert rows[1].detail == {"what": "考核成绩", "count": 19}
    # the very first row hangs on sixty-four zeros
    assert AuditEvent.objects.get(id=1).prev_hash == "0" * 64


def _verify(capsys) -> tuple[int, str]:
    try:
        call_command("audit", "verify")
        code = 0
    except SystemExit as exit:
        code = exit.code
    out = capsys.readouterr()
    return code, out.out + out.err


def _without_triggers(sql: str, params: list) -> None:
    """Tamper as someone with the database's own tools would: drop the triggers first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in triggers.SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute(f"ALTER TABLE {triggers.TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "sqlite":
            triggers.install(connection)
        else:
            cursor.execute(f"ALTER TABLE {triggers.TABLE} ENABLE TRIGGER USER")


def test_verify_passes_then_names_the_first_tampered_row(people, capsys):
    for n in range(5):
        record("export", user=people["zuoxi"], what="工单台账", count=n)
    total = AuditEvent.objects.count()
    code, out = _verify(capsys)
    assert code == 0
    assert f"审计日志完整:共 {total} 条" in out

    target = AuditEvent.objects.order_by("-id")[2]
    _without_triggers(
        "UPDATE audit_auditevent SET detail = %s WHERE id = %s",
        ['{"what": "工单台账", "count": 0}', target.id],
    )
    code, out = _verify(capsys)
    assert code == 1
    assert f"id={target.id}" in out
    assert "内容与哈希不符" in out


def test_verify_names_the_row_after_a_deleted_one(people, capsys):
    for n in range(4):
        record("export", user=people["zuoxi"], what="工单台账", count=n)
    gone = AuditEvent.objects.order_by("-id")[1]
    _without_triggers("DELETE FROM audit_auditevent WHERE id = %s", [gone.id])
    code, out = _verify(capsys)
    assert code == 1
    assert f"id={gone.id + 1}" in out
    assert f"缺少第 {gone.id} 条" in out


def test_verify_fails_when_the_triggers_are_gone(people, capsys):
    record("export", user=people["zuoxi"], what="工单台账", count=1)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            cursor.execute(f"DROP TRIGGER audit_event_no_change ON {triggers.TABLE}")
    code, out = _verify(capsys)
    assert code == 1
    assert "保护触发器缺失" in out


@pytest.mark.parametrize("kind", ["nonsense", ""])
def test_an_unknown_kind_is_a_programming_error(db, kind):
    with pytest.raises(ValueError):
        record(kind)
