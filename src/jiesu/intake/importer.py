"""Spreadsheet import of platform exports (.xlsx, .xls, .csv), keyed on (platform, 工单编号).

New cases are received through the workflow (in bulk, under the write lock); cases already
here are compared field by field and changed through `workflow.platform_update`, which
keeps the diff on the timeline. Rows are processed in batches, each one transaction: a
crash loses at most the batch in hand, never half a case, and a re-run finishes the job.
"""

import datetime as dt
import hashlib
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jiesu.cases import fastinsert, workflow
from jiesu.cases.errors import WorkflowError
from jiesu.cases.models import Case, Category, Channel, RequestType, Satisfaction, Solved, Tag
from jiesu.core.scoping import unscoped
from jiesu.intake import columns as C
from jiesu.intake import labels, values
from jiesu.intake.models import ColumnMapping, ImportRow, ImportRun, ImportStatus, RowOutcome
from jiesu.intake.safe_read import ImportRefused, read_table
from jiesu.org.models import Unit, UnitKind
from jiesu.reports.exports import safe_cell

BATCH = 1000
# Case fields an export may change on a case jiesu already has.
UPDATABLE = (
    "title",
    "content",
    "request_type",
    "category_id",
    "caller_name",
    "caller_phone",
    "caller_account",
    "address",
    "location",
    "company_name",
    "community_id",
    "urgency",
    "channel",
    "platform_due_at",
    "limit_hours",
    "limit_days",
    "callback_valid",
    "callback_contacted",
    "callback_solved",
    "callback_satisfaction",
)


CALLBACK_RESULTS = (
    "callback_valid",
    "callback_contacted",
    "callback_solved",
    "callback_satisfaction",
)
# A row carries a callback result when it says one of these.
CALLBACK_FIELDS = {"callback_solved", "callback_satisfaction"}


@dataclass
class RowResult:
    number: int
    raw: dict
    platform_no: str = ""
    fields: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    # (column label, value, reason): the row cannot become a case
    errors: list = field(default_factory=list)
    # (column label, value, reason): the row imports without the value, or shortened
    warnings: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # enumerated values as written (source_labels)
    present: set = field(default_factory=set)  # enumerated columns the row has a value in
    unknown: dict = field(default_factory=dict)  # field → label nobody mapped


# --- reading -----------------------------------------------------------------------


def header_map(headers: list, platform: str, street: Unit) -> dict[int, str]:
    """Column index → canonical field; refuses a file that lacks a needed column. The
    street's own mappings win over those saved for every street."""
    mappings = ColumnMapping.objects.filter(platform=platform).filter(
        Q(street=street) | Q(street__isnull=True)
    )
    saved = {
        C.normalise_header(m.header): m.field
        for m in sorted(mappings, key=lambda m: m.street_id is not None)
    }
    found = {}
    for index, header in enumerate(headers):
        name = C.field_for(header, saved)
        if name and name not in found.values():
            found[index] = name
    missing = [C.LABELS[n] for n in C.REQUIRED if n not in found.values()]
    if not any(n in found.values() for n in C.TEXT):
        missing.append("标题或主要内容")
    if missing:
        raise ImportRefused(
            f"文件缺少必需的列:{'、'.join(missing)}。请检查表头,或在“导入列映射”中设置。"
        )
    return found


def _header_row(rows: list[list]) -> int:
    """The first row that names the case number column (exports may start with a title)."""
    for i, row in enumerate(rows[:20]):
        if any(C.field_for(cell, {}) == "platform_no" for cell in row):
            return i
    return 0


# --- one row -------------------------------------------------------------------------


class Lookups:
    """Categories, communities and tags by name; unknown ones are created 待确认."""

    def __init__(self, street: Unit):
        self.street = street
        self.categories = {c.full_name: c for c in Category.objects.all()}
        self.communities = {
            u.name: u
            for u in Unit.objects.filter(
                path__startswith=street.path, kind__in=["community", "village"]
            )
        }
        self.tags = {t.name: t for t in Tag.objects.all()}
        self.reader = labels.Reader(street)

    def category(self, parts: list[str]) -> Category:
        parent = None
        for depth in range(1, len(parts) + 1):
            name = "->".join(parts[:depth])
            if name not in self.categories:
                self.categories[name] = Category.objects.create(
                    name=parts[depth - 1], parent=parent, unconfirmed=True
                )
            parent = self.categories[name]
        return parent

    def community(self, name: str) -> Unit:
        for candidate in (name, f"{name}社区", name.removesuffix("社区居委会") + "社区"):
            if candidate in self.communities:
                return self.communities[candidate]
        kind = UnitKind.VILLAGE if name.endswith("村") else UnitKind.COMMUNITY
        unit = Unit.objects.create(name=name, kind=kind, parent=self.street, unconfirmed=True)
        self.communities[name] = unit
        return unit

    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name] = Tag.objects.create(name=name)
        return self.tags[name]


def _plausible(when, *, future_days: int = 1):
    """Refuses times no platform would write: before 2000 or far in the future."""
    latest = timezone.now() + dt.timedelta(days=future_days)
    if when.year < 2000 or when > latest:
        raise C.BadValue("时间不合理(早于2000年或晚于当前时间)")
    return when


TEXT_FIELDS = (
    "title",
    "content",
    "caller_name",
    "caller_phone",
    "caller_account",
    "address",
    "location",
    "company_name",
)


def _parse(name: str, value, lookups: Lookups) -> tuple[dict, str]:
    """Case fields for one cell, and a warning when only part of it is used; raises
    BadValue with the reason when the cell is of no use."""
    text = C.cell_text(value)
    if name == "received_at":
        return {"received_at": _plausible(C.parse_datetime(value))}, ""
    if name == "platform_no":
        limit = Case._meta.get_field(name).max_length
        if len(text) > limit:
            raise C.BadValue(f"超过{limit}个字")
        return {name: text}, ""
    if name == "due":
        due = C.parse_due(value)
        if "platform_due_at" in due:
            _plausible(due["platform_due_at"], future_days=3650)
        return due, ""
    if name == "community":
        if len(text) > 90:
            raise C.BadValue("村/社区名称超过90个字")
        return {"community_id": lookups.community(text).pk}, ""
    fields = C.split_phone_or_account(text) if name == "caller_phone_or_account" else {}
    if name in TEXT_FIELDS:
        fields = {name: text}
    warning = ""
    for field_name, field_text in fields.items():
        limit = Case._meta.get_field(field_name).max_length
        if limit and len(field_text) > limit:
            fields[field_name] = field_text[:limit]
            warning = f"超过{limit}个字,只导入了前{limit}个字"
    return fields, warning


def _read_label(result: RowResult, name: str, text: str, reader: labels.Reader) -> None:
    """An enumerated cell: the standard value it means, the label as written, a warning
    when nobody mapped it."""
    enum = labels.ENUMERATED[name]
    reading = reader.read(name, text)
    result.present.add(name)
    if not reading.standard:
        result.labels[name] = text
    if reading.value is not None:
        result.fields[name] = enum.to_case(reading.value)
    if not reading.known:
        result.unknown[name] = text
        meanwhile = enum.label_of(reading.value)
        result.warnings.append(
            (
                enum.label,
                text,
                f"未识别,暂按“{meanwhile}”导入" if meanwhile else "未识别,该项未导入",
            )
        )


def _read_category(result: RowResult, text: str, lookups: Lookups) -> None:
    """问题分类: an unknown path is created 待确认 (and warned about), never refused."""
    parts = values.category_levels(text)
    if not parts:
        return
    result.present.add("category")
    if len(parts) > 3 or any(len(p) > 50 for p in parts):
        result.labels["category"] = text
        result.warnings.append(("问题分类", text, "问题分类最多三级,每级不超过50个字;该项未导入"))
        return
    category = lookups.category(parts)
    result.fields["category_id"] = category.pk
    if category.unconfirmed or text != category.full_name:
        result.labels["category"] = text
    if category.unconfirmed:
        result.unknown["category"] = category.full_name
        result.warnings.append(("问题分类", text, "新的问题分类,已按“待确认”导入"))


def convert(number: int, row: list, header: list, columns: dict[int, str], lookups) -> RowResult:
    """One row as case fields. The row fails (errors) only when it cannot become a case: no
    工单编号, no 来电时间 or one that cannot be read, neither 标题 nor 主要内容. Anything
    else the row gets wrong is left out or shortened with a warning."""
    raw = {str(header[i]): C.cell_text(v) for i, v in enumerate(row) if i < len(header)}
    result = RowResult(number=number, raw=raw)
    by_name = {name: row[i] if i < len(row) else None for i, name in columns.items()}
    parts = [C.cell_text(by_name.get(f"category_{n}")) for n in (1, 2, 3)]
    if any(parts) and not C.cell_text(by_name.get("category_path")):
        by_name["category_path"] = "->".join(p for p in parts if p)
    for name, value in by_name.items():
        if name.startswith("category_") and name != "category_path":
            continue
        text = C.cell_text(value)
        if name in C.AUDIT_ONLY or text == "":
            continue
        if name in labels.ENUMERATED:
            _read_label(result, name, text, lookups.reader)
            continue
        if name == "category_path":
            _read_category(result, text, lookups)
            continue
        if name == "tags":
            names = [t.strip() for t in text.replace(",", ",").split(",") if t.strip()]
            if any(len(t) > 30 for t in names):
                result.warnings.append(("标签", text, "每个标签不超过30个字;超长的标签未导入"))
            result.tags = [lookups.tag(t) for t in names if len(t) <= 30]
            continue
        label = C.LABELS.get(name, name)
        try:
            fields, warning = _parse(name, value, lookups)
        except C.BadValue as err:
            if name in C.REQUIRED:
                result.errors.append((label, text, str(err)))
            else:
                result.warnings.append((label, text, f"{err};该项未导入"))
            continue
        result.fields.update(fields)
        if warning:
            result.warnings.append((label, text, warning))
    result.platform_no = result.fields.pop("platform_no", "")
    for name in C.REQUIRED:
        if (
            name == "platform_no"
            and not result.platform_no
            or name != "platform_no"
            and name not in result.fields
            and not any(e[0] == C.LABELS[name] for e in result.errors)
        ):
            result.errors.append((C.LABELS[name], "", "必填,不能为空"))
    if not (result.fields.get("title") or result.fields.get("content")):
        result.errors.append(("标题/主要内容", "", "标题和主要内容不能都为空"))
    if "title" not in result.fields and result.fields.get("content"):
        result.fields["title"] = result.fields["content"][:30]
    if "content" not in result.fields and result.fields.get("title"):
        result.fields["content"] = result.fields["title"]
    return result


# --- the run -------------------------------------------------------------------------


class Importer:
    def __init__(self, run: ImportRun, user, progress=None, *, source: str = "import"):
        self.run, self.user, self.progress = run, user, progress
        self.source = source  # how callback results came: "import" or "api"
        self.street = run.street
        self.district = self.street.parent
        self.lookups = Lookups(self.street)
        self.failures: list[tuple[int, str, str, str]] = []
        self.warnings: list[tuple[int, str, str, str, str]] = []

    def process(self, results: list[RowResult]) -> None:
        """One batch in one transaction: new cases in bulk, changed cases one by one."""
        run = self.run
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE cases_case IN SHARE ROW EXCLUSIVE MODE")
            numbers = [r.platform_no for r in results if r.platform_no]
            known = unscoped(
                Case.objects.filter(platform=run.platform, platform_no__in=numbers),
                why="a row is the case of its platform number; the workflow checks each update",
            )
            existing = {
                c.platform_no: c
                for c in known.select_related(
                    "district", "street", "lead_unit", "category", "community"
                )
            }
            rows, fresh = [], []
            recorder = fastinsert.BulkRecorder(fastinsert.next_case_pk())
            seen: dict[str, Case] = {}
            for r in results:
                outcome, case, message = self._one(r, existing, seen, recorder)
                rows.append(
                    ImportRow(
                        run=run,
                        row_number=r.number,
                        platform_no=r.platform_no[:40],
                        raw=r.raw,
                        outcome=outcome,
                        case_id=case.pk if case else None,
                        message=message,
                    )
                )
                if outcome == RowOutcome.CREATED:
                    fresh.append(case)
            fastinsert.write(recorder.take())
            if connection.vendor == "postgresql" and fresh:
                fastinsert.finish()
            ImportRow.objects.bulk_create(rows, batch_size=500)
            for row in rows:
                setattr(run, row.outcome, getattr(run, row.outcome) + 1)
            for r, row in zip(results, rows, strict=True):
                if row.outcome != RowOutcome.FAILED and r.warnings:
                    self._count_warnings(r)
            run.done_rows += len(results)
            run.heartbeat_at = timezone.now()
            run.save(
                update_fields=[
                    "created",
                    "updated",
                    "unchanged",
                    "failed",
                    "warned",
                    "unknown_labels",
                    "done_rows",
                    "heartbeat_at",
                ]
            )
        if self.progress:
            self.progress(run)

    def _count_warnings(self, r: RowResult) -> None:
        run = self.run
        run.warned += 1
        self.warnings.extend((r.number, r.platform_no, c, v, w) for c, v, w in r.warnings)
        for name, label in r.unknown.items():
            counts = run.unknown_labels.setdefault(name, {})
            counts[label] = counts.get(label, 0) + 1

    def _one(self, r: RowResult, existing, seen, recorder):
        outcome, case, message = self._outcome(r, existing, seen, recorder)
        if outcome != RowOutcome.FAILED and r.warnings:
            notes = ";".join(f"{c}“{v[:30]}”:{w}" for c, v, w in r.warnings)
            message = f"{message};{notes}" if message else notes
        return outcome, case, message

    def _outcome(self, r: RowResult, existing, seen, recorder):
        if r.errors:
            self.failures.extend((r.number, col, val, why) for col, val, why in r.errors)
            return RowOutcome.FAILED, None, ";".join(_failure(*e) for e in r.errors)
        if r.platform_no in seen:  # the same case twice in one batch: the first row wins
            return RowOutcome.UNCHANGED, seen[r.platform_no], "同一文件中重复的工单编号"
        case = existing.get(r.platform_no)
        try:
            if case is None:
                with workflow.recording(recorder):
                    case = workflow.receive(
                        by=self.user,
                        platform=self.run.platform,
                        platform_no=r.platform_no,
                        district=self.district,
                        street=self.street,
                        tags=r.tags,
                        source_labels=r.labels,
                        **{"channel": Channel.PHONE, "request_type": RequestType.OTHER, **r.fields},
                    )
                seen[r.platform_no] = case
                return RowOutcome.CREATED, case, ""
            seen[r.platform_no] = case
            changes = {
                name.removesuffix("_id") if name.endswith("_id") else name: value
                for name, value in r.fields.items()
                if name in UPDATABLE and getattr(case, name) != value
            }
            changes = {
                name: (
                    Category.objects.get(pk=v)
                    if name == "category"
                    else Unit.objects.get(pk=v)
                    if name == "community"
                    else v
                )
                for name, v in changes.items()
            }
            written = {k: v for k, v in case.source_labels.items() if k not in r.present}
            written.update(r.labels)
            if written != case.source_labels:
                changes["source_labels"] = written
            if not changes:
                return RowOutcome.UNCHANGED, case, ""
            update_case(case, changes, by=self.user, source=self.source)
            return RowOutcome.UPDATED, case, "、".join(changes)
        except WorkflowError as err:
            self.failures.append((r.number, err.field or "", "", err.message))
            return RowOutcome.FAILED, None, err.message


def _failure(column: str, value: str, reason: str) -> str:
    """A failed row's reason as the page shows it: which column, why, and what it held."""
    return f"{column}:{reason}" + (f"(原值“{value[:30]}”)" if value else "")


def update_case(case, changes: dict, *, by, source: str = "import") -> None:
    """Changes a case already here through the workflow: its own fields as 平台数据更新, a
    platform callback result as 回访 like one recorded on the page (`source` says how it
    came), whose subscribers may reopen the case. A result the case cannot take as a
    回访 (not closed here, or 是否解决/是否满意 missing) is kept as platform data."""
    changes = dict(changes)
    results = {n: changes.pop(n) for n in CALLBACK_RESULTS if n in changes}
    if results and not (CALLBACK_FIELDS & results.keys() and _takes_callback(case, results)):
        changes.update(results)
        results = {}
    derived = _official_callback(case, changes) if CALLBACK_FIELDS & changes.keys() else {}
    with transaction.atomic():
        if changes:
            workflow.platform_update(case, by=by, changes=changes, derived=derived)
        if results:
            workflow.callback(
                case,
                by=by,
                **{short: results.get(name, getattr(case, name)) for short, name in _RESULT},
                kind="official",
                source=source,
            )


_RESULT = tuple((n.removeprefix("callback_"), n) for n in CALLBACK_RESULTS)


def _takes_callback(case, results: dict) -> bool:
    if case.state not in workflow.TRANSITIONS["callback"].sources:
        return False
    solved = results.get("callback_solved", case.callback_solved)
    satisfaction = results.get("callback_satisfaction", case.callback_satisfaction)
    return solved in Solved.values and satisfaction in Satisfaction.values


def _official_callback(case, changes: dict) -> dict:
    """A platform result kept as platform data: its time, and the first result kept."""
    extra = {"callback_at": timezone.now(), "awaiting_callback_at": None}
    if not case.first_callback:
        extra["first_callback"] = {n: changes.get(n, getattr(case, n)) for n in CALLBACK_RESULTS}
    return extra


def _errors_workbook(run: ImportRun, failures, warnings) -> str:
    """导入错误: the rows that did not land; 提示: the values that landed changed or not at all."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "导入错误"
    sheet.append(["行号", "列", "值", "原因"])
    for number, column, value, reason in failures:
        sheet.append([number, safe_cell(column), safe_cell(value), safe_cell(reason)])
    if warnings:
        notes = book.create_sheet("提示(已导入)")
        notes.append(["行号", "工单编号", "列", "值", "说明"])
        for number, platform_no, column, value, reason in warnings:
            notes.append([number, *(safe_cell(v) for v in (platform_no, column, value, reason))])
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"import-{run.pk}-errors.xlsx"
    book.save(path)
    path.chmod(0o600)  # it holds rows as they came, with callers' names and phones
    return str(path)


def current_process() -> dict:
    """The run's fields that name the process importing it, with a fresh heartbeat."""
    return {
        "worker_host": socket.gethostname()[:255],
        "worker_pid": os.getpid(),
        "heartbeat_at": timezone.now(),
    }


def start_run(path: Path, *, platform: str, street: Unit, user=None) -> ImportRun:
    """Check the file and open its run record; refuses a file that cannot be imported."""
    limit = settings.JIESU_IMPORT_MAX_BYTES
    size = path.stat().st_size
    if size > limit:
        raise ImportRefused(f"文件大小 {size / 1048576:.1f}MB,超过 {limit // 1048576}MB 的上限。")
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return ImportRun.objects.create(
        platform=platform,
        file_name=path.name,
        street=street,
        started_by=user,
        sha256=digest.hexdigest(),
        **current_process(),
    )


def import_file(
    path,
    *,
    platform: str,
    street: Unit,
    user=None,
    all_or_nothing=False,
    progress=None,
    run: ImportRun | None = None,
) -> ImportRun:
    """Import one platform export; returns its run with the counts."""
    path = Path(path)
    run = run or start_run(path, platform=platform, street=street, user=user)
    try:
        rows = read_table(path)
        top = _header_row(rows)
        header = rows[top] if rows else []
        columns = header_map(header, platform, run.street)
        body = [
            (top + i + 2, row)
            for i, row in enumerate(rows[top + 1 :])
            if any(C.cell_text(v) for v in row)
        ]
        run.total_rows = len(body)
        run.save(update_fields=["total_rows"])
        importer = Importer(run, user, progress)
        results = [convert(n, row, header, columns, importer.lookups) for n, row in body]
        with fastinsert.fast_sqlite():
            if all_or_nothing:
                _all_or_nothing(importer, results)
            else:
                for start in range(0, len(results), BATCH):
                    importer.process(results[start : start + BATCH])
        if importer.failures or importer.warnings:
            run.errors_file = _errors_workbook(run, importer.failures, importer.warnings)
        run.status = ImportStatus.DONE
    except ImportRefused as err:
        run.status, run.message = ImportStatus.FAILED, str(err)
        run.finished_at = timezone.now()
        run.save()
        raise
    run.finished_at = timezone.now()
    run.save()
    return run


class _Abandon(Exception):
    pass


def _all_or_nothing(importer: Importer, results: list[RowResult]) -> None:
    run = importer.run
    try:
        with transaction.atomic():
            for start in range(0, len(results), BATCH):
                importer.process(results[start : start + BATCH])
            if run.failed:
                raise _Abandon
    except _Abandon:
        failed = run.failed
        run.refresh_from_db()
        run.created = run.updated = run.unchanged = run.warned = 0
        run.failed, run.done_rows, run.unknown_labels = failed, len(results), {}
        importer.warnings.clear()
        run.message = f"有 {failed} 行出错,按“全部成功才导入”的要求,本次未导入任何工单。"


def import_records(records: list[dict], *, platform: str, street: Unit, user, sender: str):
    """Cases sent by another system (the intake API), as dicts keyed by the column names of
    `intake.columns.ALIASES`; handled exactly like rows of an export. Returns the run and
    its rows in order."""
    run = ImportRun.objects.create(
        platform=platform,
        file_name=f"接口:{sender}"[:200],
        street=street,
        started_by=user,
        sha256="",
        total_rows=len(records),
    )
    importer = Importer(run, user, source="api")
    names = sorted({name for record in records for name in record})
    columns_ = dict(enumerate(names))
    results = [
        convert(n, [record.get(name) for name in names], names, columns_, importer.lookups)
        for n, record in enumerate(records, start=1)
    ]
    for start in range(0, len(results), BATCH):
        importer.process(results[start : start + BATCH])
    run.status, run.finished_at = ImportStatus.DONE, timezone.now()
    run.save()
    return run, list(run.rows.order_by("row_number"))
