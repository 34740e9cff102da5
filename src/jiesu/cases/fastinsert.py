"""BulkRecorder: what workflow.DatabaseRecorder does, to objects in memory, written in batches.

The workflow still runs every check and computes every field; only the persistence
differs, and nothing is published to the workflow's subscribers. For loaders that create
whole cases under fresh ids while they hold the write lock (the demo and the spreadsheet
import). (The 批量 bar of a case list is cases.batch.)
"""

import contextlib
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max
from django.utils import timezone

from jiesu.cases import search, workflow
from jiesu.cases.models import Case, CaseEvent

CASE_FIELDS = Case._meta.concrete_fields
# Where write() puts the phone's search keys (cases.search.phone_keys) in a case row.
_PHONE, _DIGEST, _TAIL = (
    [f.attname for f in CASE_FIELDS].index(name)
    for name in ("caller_phone", "caller_phone_digest", "caller_phone_tail")
)
EVENT_FIELDS = [
    CaseEvent._meta.get_field(name)
    for name in ("case", "at", "actor", "action", "from_state", "to_state", "reason", "payload")
]
CO_UNITS, TAGS = Case.co_units.through, Case.tags.through
# Values of these field types go to the driver as they are, as in Django's own save.
PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "TextField",
    }
)


@dataclass
class Batch:
    """Rows ready for the database: values already prepared as Django's save would."""

    cases: list
    events: list
    co_units: list
    tags: list


class BulkRecorder:
    """Keeps the cases it receives and their steps in memory until take() hands them over."""

    def __init__(self, first_pk: int):
        self.next_pk = first_pk
        self.cases: dict[int, Case] = {}
        self.events: list[tuple] = []
        self.co_units: dict[int, list[int]] = {}
        self.tags: dict[int, list[int]] = {}

    def record(self, case, step) -> None:
        fields = workflow.step_fields(case, step)
        if case.pk is None:
            workflow.apply_fields(case, fields)
            now = timezone.now()
            case.pk, case.created_at, case.updated_at = self.next_pk, now, now
            self.next_pk += 1
            self.cases[case.pk] = case
        elif case.pk not in self.cases:
            raise RuntimeError("BulkRecorder records only cases it received itself.")
        # No version check: until it is written the case lives only here; nobody else can
        # change it.
        if step.co_units is not None:
            self.co_units[case.pk] = [u.pk for u in step.co_units]
        if step.tags:
            self.tags[case.pk] = [t.pk for t in step.tags]
        actor = step.actor.pk if step.actor else None
        self.events.append(
            (
                case.pk,
                step.at,
                actor,
                step.action,
                step.from_state,
                step.to_state,
                step.reason,
                step.payload,
            )
        )
        workflow.apply_fields(case, fields)

    def take(self) -> Batch:
        """Everything recorded so far as prepared rows; the recorder starts afresh."""
        batch = Batch(
            cases=_prepare(
                CASE_FIELDS,
                ([getattr(c, f.attname) for f in CASE_FIELDS] for c in self.cases.values()),
            ),
            events=_prepare(EVENT_FIELDS, self.events),
            co_units=[(c, u) for c, units in self.co_units.items() for u in units],
            tags=[(c, t) for c, tags in self.tags.items() for t in tags],
        )
        self.cases, self.events, self.co_units, self.tags = {}, [], {}, {}
        return batch


def next_case_pk() -> int:
    return (Case.objects.aggregate(last=Max("pk"))["last"] or 0) + 1


def write(batch: Batch) -> None:
    """Insert a batch in one transaction, with the search keys of each caller's phone."""
    for row in batch.cases:
        row[_DIGEST], row[_TAIL] = search.phone_keys(row[_PHONE])
    with transaction.atomic():
        _insert(Case, CASE_FIELDS, batch.cases)
        _insert(CO_UNITS, [CO_UNITS._meta.get_field(n) for n in ("case", "unit")], batch.co_units)
        _insert(TAGS, [TAGS._meta.get_field(n) for n in ("case", "tag")], batch.tags)
        _insert(CaseEvent, EVENT_FIELDS, batch.events)


def finish() -> None:
    """Move the case id sequence past the ids handed out here (PostgreSQL needs it)."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        for sql in db.ops.sequence_reset_sql(no_style(), [Case]):
            cursor.execute(sql)


def _preparer(field, db):
    """The function Django's save would use to turn this field's value into a query value."""
    kind = field.get_internal_type()
    if kind in PLAIN:
        return None
    if kind == "DateTimeField":
        return db.ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, db)


def _prepare(fields, rows) -> list[list]:
    preps = [_preparer(f, connections[DEFAULT_DB_ALIAS]) for f in fields]
    return [
        [v if prep is None or v is None else prep(v) for prep, v in zip(preps, row, strict=True)]
        for row in rows
    ]


def _insert(model, fields, rows) -> None:
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with db.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


@contextlib.contextmanager
def fast_sqlite():
    """On SQLite, skip fsync and use a big page cache during the load; restore afterwards.

    SQLite refuses to change these inside a transaction: there the load runs as it is."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite" or db.in_atomic_block:
        yield
        return
    with db.cursor() as cursor:
        saved = {}
        for name in ("synchronous", "cache_size", "temp_store"):
            cursor.execute(f"PRAGMA {name}")
            saved[name] = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            for name, value in saved.items():
                cursor.execute(f"PRAGMA {name}={value}")
