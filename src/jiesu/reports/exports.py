"""The platform's ledger columns, and the ticked-rows workbook. Personal data is masked in
anything that leaves unless a ledger is revealed (reports.ledgers, logged)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jiesu.cases.display import masked_pii, masked_reply
from jiesu.cases.models import Case
from jiesu.core.localtime import LOCAL
from jiesu.core.masking import MASKERS
from jiesu.core.workbooks import workbook_bytes


def _label(name: str):
    """A column giving a choice field's label, as get_FOO_display does, from one dict."""
    labels = {value: str(label) for value, label in Case._meta.get_field(name).flatchoices}

    def get(case, values):
        value = getattr(case, name)
        return labels.get(value, value)

    return get


# Headers as the platform's own exports name them, so the ledger reads the same.
COLUMNS = [
    ("工单编号", 20, lambda c, p: c.platform_no),
    ("来源平台", 8, _label("platform")),
    ("诉求类型", 8, _label("request_type")),
    ("问题分类", 28, lambda c, p: c.category.full_name if c.category_id else ""),
    ("标题", 30, lambda c, p: p["title"]),
    ("主要内容", 50, lambda c, p: p["content"]),
    ("工单状态", 12, _label("state")),
    ("来电人", 8, lambda c, p: p["caller_name"]),
    ("来电人电话", 14, lambda c, p: p["caller_phone"]),
    ("来电时间", 17, lambda c, p: c.received_at),
    ("村/社区", 16, lambda c, p: c.community.name if c.community_id else ""),
    ("小区点位/问题点位", 18, lambda c, p: p["address"]),
    ("主办单位", 16, lambda c, p: c.lead_unit.name if c.lead_unit_id else ""),
    ("截止时间", 17, lambda c, p: c.due_at),
    ("办理结果", 30, lambda c, p: p["result"]),
    ("办结时间", 17, lambda c, p: c.closed_at),
]


def row_values(case, *, reveal: bool = False) -> dict:
    """A case's personal fields and free text for a ledger row: masked, or in full when
    `reveal` (only for a user who may see them and asked; the export is logged)."""
    if reveal:
        values = {name: getattr(case, name) or "" for name in MASKERS}
        values.update(title=case.title, content=case.content, location=case.location)
        values["result"] = (case.reply or {}).get("result", "")
        return values
    values = masked_pii(case)
    values["result"] = masked_reply(case).get("result", "")
    return values


# Added for lists where the callback matters, such as the 考核 drill-down.
CALLBACK_COLUMNS = [
    ("考核类型", 10, _label("evaluation_type")),
    ("回访时间", 17, lambda c, p: c.callback_at),
    (
        "是否有效回访",
        8,
        lambda c, p: "" if c.callback_valid is None else ("是" if c.callback_valid else "否"),
    ),
    (
        "是否联系",
        8,
        lambda c, p: (
            "" if c.callback_contacted is None else ("是" if c.callback_contacted else "否")
        ),
    ),
    ("是否解决", 8, _label("callback_solved")),
    ("是否满意", 8, _label("callback_satisfaction")),
]


# Excel number formats: a rate is stored as the fraction (0.98333) and shown as 98.3%; a
# score is stored as it is and shown with one decimal.
PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.0"
RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")


def number_format(key: str | None) -> str | None:
    """The Excel number format of a score-table column, None for plain counts and text."""
    if key in RATE_KEYS:
        return PERCENT_FORMAT
    if key == "score":
        return SCORE_FORMAT
    return None


def _decimal(value) -> Decimal:
    # the shortest decimal that reads back as the float: what Excel shows, not its binary tail
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def percent_text(rate) -> str:
    """A rate (0.98333) as people write it: 98.3%, half up, as Excel shows '0.0%'."""
    shown = (_decimal(rate) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown}%"


def score_text(score) -> str:
    """A score with one decimal (95.0), as Excel shows '0.0'."""
    return str(_decimal(score).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def safe_cell(value):
    """Text that a spreadsheet would run as a formula (= + - @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def cell_value(value):
    """A cell as written: times in Beijing time without a zone (Excel has none), text safe."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(LOCAL).replace(tzinfo=None)
    return safe_cell(value)


def cases_xlsx(cases, *, with_callback: bool = False) -> bytes:
    """A one-sheet 工单台账 of the given cases (with their callback results if asked)."""
    columns = COLUMNS + CALLBACK_COLUMNS if with_callback else COLUMNS
    book = Workbook()
    sheet = book.active
    sheet.title = "工单台账"
    sheet.append([name for name, _, _ in columns])
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for i, (_, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font, cell.fill = Font(bold=True), header_fill
        sheet.column_dimensions[get_column_letter(i)].width = width
    for case in cases:
        pii = row_values(case)
        sheet.append([cell_value(get(case, pii)) for _, _, get in columns])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if hasattr(cell.value, "year"):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cell.alignment = Alignment(
                vertical="top", wrap_text=cell.column_letter in ("E", "F", "O")
            )
    sheet.freeze_panes = "A2"
    return workbook_bytes(book)
