"""The hash chain: each row's hash is SHA-256 over its canonical form and the previous hash."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

# The first row's previous hash.
GENESIS = "0" * 64
# The fields the hash covers, in this order; `hash` itself is the only one left out.
FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "actor_roles",
    "ip",
    "user_agent",
    "kind",
    "target_type",
    "target_id",
    "target_repr",
    "detail",
    "prev_hash",
)


def plain_json(value):
    """The value as the JSON column gives it back (dates as text, tuples as lists), so
    the hash computed before the insert is the hash computed from the stored row."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical(values: dict) -> bytes:
    """One line of JSON: keys sorted, no spaces, time in UTC with microseconds."""
    data = {name: values[name] for name in FIELDS}
    at = data["at"]
    data["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(values: dict) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


@dataclass(frozen=True)
class Break:
    id: int
    at: dt.datetime
    reason: str


def verify(rows) -> tuple[int, Break | None]:
    """Walk the rows in id order; the count and the first broken row, if any."""
    expected_id, prev_hash, count = 1, GENESIS, 0
    for row in rows:
        values = {name: getattr(row, name) for name in FIELDS}
        if row.id != expected_id:
            return count, Break(row.id, row.at, f"序号不连续:缺少第 {expected_id} 条")
        if row.prev_hash != prev_hash:
            return count, Break(row.id, row.at, "与上一条的哈希不相接")
        if digest(values) != row.hash:
            return count, Break(row.id, row.at, "内容与哈希不符,已被改动")
        expected_id, prev_hash, count = row.id + 1, row.hash, count + 1
    return count, None
