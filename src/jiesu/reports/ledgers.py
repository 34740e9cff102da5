"""Ledgers (台账): every case, returned, exempted and appealed, shelved, overdue, or any
filtered list, streamed row by row into an .xlsx (see `write`) so memory stays flat at a
million rows. Columns are the platform's (reports.exports.COLUMNS) plus each kind's own."""

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from openpyxl.utils import get_column_letter

from jiesu.assessment.models import Application
from jiesu.cases import queues
from jiesu.cases.models import CaseEvent, State
from jiesu.cases.workflow import ACTION_LABELS
from jiesu.core.localtime import LOCAL
from jiesu.core.masking import mask_text, own_data
from jiesu.reports.exports import CALLBACK_COLUMNS, COLUMNS, cell_value, row_values

CHUNK = 2000
KINDS = {
    "all": "工单台账",
    "returned": "退回工单台账",
    "exempted": "不纳入考核及申诉台账",
    "shelved": "挂账工单台账",
    "overdue": "超期工单台账",
}
LIST_TITLE = "工单列表台账"
RETURN_ACTIONS = ("return", "dispute")
SHELVED_ACTIONS = ("shelve",)

RELATED = ("category", "community", "lead_unit")
# What the columns read of a case and its related rows: a ledger loads these only (a case
# row has some sixty columns, JSON among them, and converting them was a third of the time).
FIELDS = (
    *("platform", "platform_no", "request_type", "title", "content", "state", "reply"),
    *("caller_name", "caller_phone", "caller_account", "address", "location", "company_name"),
    *("received_at", "due_at", "current_due_at", "returned_at", "closed_at"),
    *("evaluation_type", "callback_at", "callback_valid", "callback_contacted"),
    *("callback_solved", "callback_satisfaction"),
    *("category__full_name", "community__name", "lead_unit__name"),
)


@dataclass
class Ledger:
    """What a ledger writes: a sheet title, its columns and a source of (case, values)
    rows. `count()` is the number of rows it will write."""

    title: str
    columns: list
    source: object  # a queryset of cases, or of applications for "exempted"
    reveal: bool = False
    notes: list = field(default_factory=list)  # (label, text) on the 导出说明 sheet

    def count(self) -> int:
        return self.source.order_by().count()

    def rows(self) -> Iterator[tuple]:
        for item in self.source.iterator(chunk_size=CHUNK):
            case = item.case if isinstance(item, Application) else item
            reveal = self.reveal and getattr(case, "revealable", False)
            values = row_values(case, reveal=reveal)
            if isinstance(item, Application):
                values["application"] = item
            values["revealed"] = reveal
            yield case, values


def received_between(cases, start: dt.datetime | None = None, end: dt.datetime | None = None):
    """Cases received in [start, end)."""
    if start is not None:
        cases = cases.filter(received_at__gte=start)
    if end is not None:
        cases = cases.filter(received_at__lt=end)
    return cases


def day_bounds(first: dt.date | None, last: dt.date | None) -> tuple:
    """[first 00:00, the day after last 00:00) in Beijing time; None where not given."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=LOCAL) if first else None
    end = (
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL)
        if last
        else None
    )
    return start, end


def build(kind: str, cases, *, reach=None, reveal: bool = False, now=None) -> Ledger:
    """The ledger of `kind` over `cases` (already narrowed to the reader's reach and the
    period or filter). With `reveal`, a row shows personal data in full only where
    `reach` may reveal that case (its roles there include one of PII_ROLES)."""
    now = now or timezone.now()
    if kind == "list":
        kind_title, kind = LIST_TITLE, "all"
    else:
        kind_title = KINDS[kind]
    reveal = bool(reveal and reach is not None)
    if reveal:
        revealable = reach.cases("reveal").filter(pk=OuterRef("pk"))
        cases = cases.annotate(revealable=Exists(revealable))
    cases = cases.select_related(*RELATED).only(*FIELDS)
    if kind == "all":
        return Ledger(kind_title, COLUMNS + CALLBACK_COLUMNS, _ordered(cases), reveal)
    if kind == "returned":
        return Ledger(kind_title, COLUMNS + RETURNED_COLUMNS, _returned(cases), reveal)
    if kind == "overdue":
        overdue = queues.condition("overdue", reach, now) | Q(
            closed_at__isnull=False, due_at__isnull=False, closed_at__gt=F("due_at")
        )
        columns = COLUMNS + overdue_columns(now)
        return Ledger(kind_title, columns, _ordered(cases.filter(overdue)), reveal)
    if kind == "shelved":
        return Ledger(kind_title, COLUMNS + SHELVED_COLUMNS, _shelved(cases), reveal)
    if kind == "exempted":
        applications = Application.objects.filter(case__in=cases.values("pk"))
        if reveal:
            revealable = reach.cases("reveal").filter(pk=OuterRef("case_id"))
            applications = applications.annotate(case_revealable=Exists(revealable))
        applications = applications.select_related(
            "ground", *(f"case__{r}" for r in RELATED)
        ).order_by("case__received_at", "case_id", "id")
        return Ledger(kind_title, COLUMNS + APPLICATION_COLUMNS, _AppSource(applications), reveal)
    raise KeyError(kind)


def _ordered(cases):
    return cases.order_by("received_at", "id")


class _AppSource:
    """Applications, each carrying its case's reveal right as the case's own attribute."""

    def __init__(self, applications):
        self.applications = applications

    def order_by(self, *args):
        return self.applications.order_by(*args)

    def iterator(self, chunk_size):
        for app in self.applications.iterator(chunk_size=chunk_size):
            if hasattr(app, "case_revealable"):
                app.case.revealable = app.case_revealable
            yield app


# --- returned ---------------------------------------------------------------------------


def _returned(cases):
    last = CaseEvent.objects.filter(case_id=OuterRef("pk"), action__in=RETURN_ACTIONS).order_by(
        "-at", "-id"
    )
    return _ordered(
        cases.filter(returned_at__isnull=False).annotate(
            return_action=Subquery(last.values("action")[:1]),
            return_reason=Subquery(last.values("reason")[:1]),
        )
    )


def _own_text(case, values, text: str) -> str:
    return text or "" if values["revealed"] else mask_text(text or "", own_data(case))


RETURNED_COLUMNS = [
    ("退回类型", 10, lambda c, p: ACTION_LABELS.get(c.return_action or "", "")),
    ("退回时间", 17, lambda c, p: c.returned_at),
    ("退回原因", 40, lambda c, p: _own_text(c, p, c.return_reason)),
]


# --- overdue ----------------------------------------------------------------------------


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def overdue_columns(now: dt.datetime) -> list:
    def situation(c, p):
        return "超期办结" if c.closed_at else "在办超期"

    def late(c, p):
        if c.closed_at:
            return _hours(c.closed_at - c.due_at)
        return _hours(now - c.current_due_at) if c.current_due_at else None

    return [
        ("超期情形", 10, situation),
        ("当前环节时限", 17, lambda c, p: None if c.closed_at else c.current_due_at),
        ("超期时长(小时)", 12, late),
    ]


# --- shelved ----------------------------------------------------------------------------


def _shelved(cases):
    timeline = CaseEvent.objects.order_by("at", "id")
    return _ordered(cases.filter(state=State.SHELVED)).prefetch_related(
        Prefetch("events", queryset=timeline, to_attr="timeline")
    )


def progress(case, *, reveal: bool = False) -> tuple:
    """(shelved at, why, months) of a shelved case: the last 挂账 event, and the notes of
    the timeline after it grouped by Beijing month, as (YYYY-MM, [label: text, ...])."""
    events = getattr(case, "timeline", None)
    if events is None:
        events = list(case.events.order_by("at", "id"))
    shelved = None
    for i, event in enumerate(events):
        if event.action in SHELVED_ACTIONS:
            shelved = i
    if shelved is None:
        return None, "", []
    own = own_data(case)

    def text(s):
        return s if reveal else mask_text(s, own)

    months: dict[str, list[str]] = {}
    for event in events[shelved + 1 :]:
        if not event.reason:
            continue
        month = timezone.localtime(event.at).strftime("%Y-%m")
        label = ACTION_LABELS.get(event.action, event.action)
        months.setdefault(month, []).append(f"{label}:{text(event.reason)}")
    first = events[shelved]
    return first.at, text(first.reason), sorted(months.items())


def _progress_text(c, p) -> str:
    _, _, months = progress(c, reveal=p["revealed"])
    return "\n".join(f"{month} " + ";".join(notes) for month, notes in months)


SHELVED_COLUMNS = [
    ("挂账时间", 17, lambda c, p: progress(c)[0]),
    ("挂账原因", 30, lambda c, p: progress(c, reveal=p["revealed"])[1]),
    ("有进展的月数", 10, lambda c, p: len(progress(c)[2])),
    ("月度进展", 60, _progress_text),
]


# --- exempted and appealed --------------------------------------------------------------

APPLICATION_COLUMNS = [
    ("申请类型", 10, lambda c, p: p["application"].get_kind_display()),
    ("申请理由", 20, lambda c, p: p["application"].ground.name),
    ("考核周期", 9, lambda c, p: p["application"].period),
    ("申请状态", 12, lambda c, p: p["application"].get_state_display()),
    ("提交平台时间", 17, lambda c, p: p["application"].submitted_at),
    ("结果时间", 17, lambda c, p: p["application"].outcome_at),
    ("情况说明", 40, lambda c, p: _own_text(c, p, p["application"].explanation)),
]


# --- writing ----------------------------------------------------------------------------
# A sheet is written as its XML, row by row, straight into the zip: memory stays flat at
# any length, and at a tenth of the time openpyxl's write-only mode takes per cell (see
# bench/reports.py). Strings are inline, times are Excel serial days in a date style.

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
# cell styles: 0 plain, 1 header (bold on grey-blue), 2 date and time, 3 wrapped text
_STYLES = (
    _XML + f"<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EPOCH = dt.datetime(1899, 12, 30)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WRAPPED = {"标题", "主要内容", "办理结果", "月度进展", "退回原因", "情况说明", "挂账原因"}


def _text(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, value, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        days = (value - _EPOCH) / dt.timedelta(days=1)
        return f'<c r="{ref}" s="2"><v>{days!r}</v></c>'
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


class _Sheet:
    """One worksheet streamed into the zip: its columns, a frozen header, then rows."""

    def __init__(self, book: zipfile.ZipFile, n: int, widths: list[int], frozen: bool):
        self.out = book.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True)
        self.letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
        self.row = 0
        pane = (
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            if frozen
            else ""
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        self._put(f"{_XML}<worksheet {_NS} {_REL_NS}>{pane}<cols>{cols}</cols><sheetData>")

    def _put(self, text: str) -> None:
        self.out.write(text.encode())

    def append(self, values, styles=None) -> None:
        self.row += 1
        r = self.row
        styles = styles or [0] * len(values)
        cells = "".join(
            _cell(f"{letter}{r}", value, style)
            for letter, value, style in zip(self.letters, values, styles, strict=False)
        )
        self._put(f'<row r="{r}">{cells}</row>')

    def close(self) -> None:
        self._put("</sheetData></worksheet>")
        self.out.close()


def _workbook_parts(book: zipfile.ZipFile, titles: list[str]) -> None:
    sheets = "".join(
        f'<sheet name="{_text(t)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, t in enumerate(titles, start=1)
    )
    book.writestr(
        "xl/workbook.xml", f"{_XML}<workbook {_NS} {_REL_NS}><sheets>{sheets}</sheets></workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(titles) + 1)
    )
    styles = f'<Relationship Id="rId{len(titles) + 1}" Type="{_DOC}/styles" Target="styles.xml"/>'
    book.writestr(
        "xl/_rels/workbook.xml.rels",
        f'{_XML}<Relationships xmlns="{_PKG}">{rels}{styles}</Relationships>',
    )
    book.writestr("xl/styles.xml", _STYLES)
    types = "".join(_SHEET_TYPE.format(n=n) for n in range(1, len(titles) + 1))
    book.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=types))
    book.writestr(
        "_rels/.rels",
        f'{_XML}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )


def write(ledger: Ledger, target, *, progress=None, every: int = 5_000) -> int:
    """Write the ledger to `target` (a path or a binary file) as an .xlsx; returns the rows
    written. Rows go into the zip as they are read, never held. `progress(rows)` is called
    every `every` rows."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        sheet = _Sheet(book, 1, [w for _, w, _ in ledger.columns], frozen=True)
        sheet.append([name for name, _, _ in ledger.columns], [1] * len(ledger.columns))
        getters = [get for _, _, get in ledger.columns]
        styles = [3 if name in _WRAPPED else 0 for name, _, _ in ledger.columns]
        written = 0
        for case, values in ledger.rows():
            sheet.append([cell_value(get(case, values)) for get in getters], styles)
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
        sheet.close()
        about = _Sheet(book, 2, [14, 60], frozen=False)
        for label, text in [*ledger.notes, ("行数", written)]:
            about.append([label, cell_value(text)])
        about.append(["个人信息", "含个人信息(已记录)" if ledger.reveal else "已脱敏"])
        about.close()
        _workbook_parts(book, [ledger.title, "导出说明"])
    return written
