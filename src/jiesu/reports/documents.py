"""Reports as Word (docxtpl templates the office can edit), Excel and PDF files.

`build(kind, reach=…, period=…, unit=…, fmt="docx", out=…)` writes one report and returns
its path. The Word layout follows GB/T 9704-2012: A4, margins 37/35/28/26 mm (top,
bottom, left, right), the title in 方正小标宋简体 二号 (22 pt), the body in 仿宋_GB2312 三号
(16 pt), headings in 黑体 三号. The fonts are named as East Asian fonts (w:eastAsia), so an
office PC that has them uses them; the document's font table gives each a free
alternative (Noto Serif/Sans CJK SC) for a PC that has not.

The default templates are built by default_template() and shipped in templates_docx/
(scripts/report_templates.py writes them again). Their placeholders:

    {{ title }} {{ subtitle }} {{ unit }} {{ issued }} {{ basis }} {{ note }}
    {%p for s in sections %} … {%p endfor %}, each section s with
        s.heading, s.lines (sentences), s.chart (an image or empty),
        s.tables (each t.title and t.table, a table to put with {{p t.table }})
    n.<name>  the headline numbers (n.received, n.closed, n.response_rate, n.score,
              n.rank, …) and text.<name> the same as the report writes them (98.3%).

The PDF is the same sections laid out by WeasyPrint from reports/report_pdf.html, in the
same page format and fonts (with the free CJK fonts embedded), for reading and printing
where Word is not at hand.
"""

import copy
import datetime as dt
import io
from pathlib import Path

from django.utils import timezone

from jiesu.core.localtime import LOCAL
from jiesu.reports import charts, office_templates
from jiesu.reports.figures import RATES, Figures, Table, build_figures, count_text, pct_text
from jiesu.reports.windows import KINDS, window

TEMPLATES = Path(__file__).parent / "templates_docx"
FORMATS = ("docx", "xlsx", "pdf")

# (the font an office PC has, its free alternative)
TITLE_FONT = ("方正小标宋简体", "Noto Serif CJK SC")
BODY_FONT = ("仿宋_GB2312", "Noto Serif CJK SC")
HEADING_FONT = ("黑体", "Noto Sans CJK SC")
LATIN_FONT = "Times New Roman"
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_PT, BODY_PT, TABLE_PT = 22, 16, 12
BASIS = "受理量及三率按来电时间统计,办结量按办结时间统计,退回量按退回时间统计。"


def build(
    kind: str,
    *,
    reach,
    period: str | None = None,
    date: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit: int | None = None,
    fmt: str = "docx",
    out,
    now: dt.datetime | None = None,
    template: Path | str | None = None,
) -> Path:
    """Write the report of `kind` (daily|weekly|monthly|annual|special) for `unit` (the
    reader's first unit when None) to `out`, as `fmt` (docx, xlsx or pdf), and return its
    path. `reach` None builds it as the system (any unit; the top one by default). Dates may
    be dates or YYYY-MM-DD. A bad period, date or format raises ValueError; a unit the reader
    does not reach, RoleRefused."""
    if fmt not in FORMATS:
        raise ValueError(f"报告格式“{fmt}”暂不支持,可选:{'、'.join(FORMATS)}。")
    figures = figures_for(
        kind, reach=reach, period=period, date=date, start=start, end=end, unit=unit, now=now
    )
    out = Path(out)
    write(figures, fmt, out, template=template)
    return out


def figures_for(
    kind: str, *, reach, period=None, date=None, start=None, end=None, unit=None, now=None
):
    """The figures of one report, computed once for all its formats."""
    now = now or timezone.now()
    date, start, end = (_as_date(d) for d in (date, start, end))
    win = window(kind, period=period, date=date, start=start, end=end, now=now)
    return build_figures(kind, win, reach=reach, unit=unit, now=now)


def write(figures: Figures, fmt: str, out: Path, *, template=None) -> None:
    """One report's figures as one file: the same numbers in every format."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        write_docx(figures, out, template=template)
    elif fmt == "xlsx":
        write_xlsx(figures, out)
    elif fmt == "pdf":
        write_pdf(figures, out)
    else:
        raise ValueError(f"报告格式“{fmt}”暂不支持,可选:{'、'.join(FORMATS)}。")


def _as_date(value) -> dt.date | None:
    """A date, or one written YYYY-MM-DD (as the command passes them)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"日期“{value}”格式不对,应为 YYYY-MM-DD。") from None


# --- cells -------------------------------------------------------------------------------


def cell_text(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "int":
        return count_text(value)
    if kind == "rate":
        return pct_text(value)
    if kind == "score":
        return f"{value:.1f}"
    return str(value)


def note_of(figures: Figures) -> str:
    if figures.charts() and charts.cjk_font() is None:
        return charts.NO_FONT_NOTE
    return ""


def shown_numbers(figures: Figures) -> dict:
    n = figures.numbers
    text = {k: (count_text(v) if isinstance(v, int) else v) for k, v in n.items()}
    for key, _ in RATES:
        text[key] = pct_text(n[key])
    text["score"] = "—" if n["score"] is None else f"{n['score']:.1f}"
    text["rank"] = "—" if n["rank"] is None else str(n["rank"])
    return text


# --- Word --------------------------------------------------------------------------------


def template_for(kind: str, template=None) -> Path:
    """The template to fill: the one given (the office's current version, see
    reports.jobs.current_template), else the shipped default."""
    if template is not None:
        return Path(template)
    return TEMPLATES / f"{kind}.docx"


def write_docx(figures: Figures, out: Path, *, template=None) -> None:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    doc = DocxTemplate(str(template_for(figures.kind, template)))
    images = {}
    for chart in figures.charts():
        data = charts.png(chart)
        if data is not None:
            images[chart.key] = InlineImage(doc, io.BytesIO(data), width=Mm(150))
    note = note_of(figures)
    sections = [
        {
            "heading": s.heading,
            "lines": s.lines,
            "chart": images.get(s.chart.key) if s.chart else None,
            "tables": [{"title": t.title, "table": _subdoc_table(doc, t)} for t in s.tables],
        }
        for s in figures.sections
    ]
    doc.render(
        {
            "title": figures.title,
            "subtitle": figures.subtitle,
            "unit": figures.unit.name,
            "issued": f"{figures.issued.astimezone(LOCAL):%Y年%m月%d日 %H:%M}",
            "basis": BASIS,
            "note": note,
            "sections": sections,
            "n": figures.numbers,
            "text": shown_numbers(figures),
        },
        jinja_env=office_templates.sandbox(),
        autoescape=True,
    )
    doc.save(str(out))


def _subdoc_table(doc, table: Table):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.table import _Cell

    sub = doc.new_subdoc()
    rows = table.rows or [["(无)"] + [""] * (len(table.headers) - 1)]
    grid = sub.add_table(rows=1 + len(rows), cols=len(table.headers))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(grid)
    # cells straight from the rows' XML: table.cell(r, c) walks the whole grid each time
    lines = [[_Cell(tc, grid) for tc in tr.tc_lst] for tr in grid._tbl.tr_lst]
    for i, header in enumerate(table.headers):
        _cell(lines[0][i], header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for cells, row in zip(lines[1:], rows, strict=True):
        for c, value in enumerate(row):
            kind = table.kinds[c]
            align = WD_ALIGN_PARAGRAPH.LEFT if kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _cell(cells[c], cell_text(value, kind) if table.rows else value, align=align)
    _widths(grid, lines, table.kinds)
    return sub


TEXT_WEIGHT = 3  # a text column is this many times as wide as a number's


def _widths(grid, lines, kinds) -> None:
    """Columns across the type area (A4 less the margins), text columns wider than
    numbers, so a long list does not wrap its figures one character a line."""
    from docx.shared import Mm

    area = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
    weights = [TEXT_WEIGHT if k == "text" else 1 for k in kinds]
    widths = [Mm(area * w / sum(weights)) for w in weights]
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for cells in lines:
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width


def _cell(cell, text: str, *, bold: bool = False, align=None) -> None:
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.font.size = Pt(TABLE_PT)
    run.bold = bold
    _east_asian(run._element.get_or_add_rPr(), HEADING_FONT[0] if bold else BODY_FONT[0])


def _borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    tbl_pr.append(borders)


def _east_asian(r_pr, east_asia: str) -> None:
    from docx.oxml.ns import qn

    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def default_template(kind: str) -> bytes:
    """The shipped template of a report kind (the same layout for each, so the office may
    change one kind's without the others)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    _page_number(section)

    def style(name, base, font, size, *, align=None, indent=True, bold=False):
        if name in [s.name for s in doc.styles]:
            st = doc.styles[name]
        else:
            st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = doc.styles[base]
        st.font.size = Pt(size)
        st.font.bold = bold
        _east_asian(st.element.get_or_add_rPr(), font)
        fmt = st.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28 if size <= BODY_PT else 36)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(2 * size) if indent else Pt(0)
        if align is not None:
            fmt.alignment = align
        return st

    style("Normal", None, BODY_FONT[0], BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    style(
        "公文标题", "Normal", TITLE_FONT[0], TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    style("一级标题", "Normal", HEADING_FONT[0], BODY_PT)
    style("副标题", "Normal", BODY_FONT[0], BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    style("表题", "Normal", HEADING_FONT[0], 14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    style("图", "Normal", BODY_FONT[0], BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    doc.styles["图"].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    style("说明", "Normal", BODY_FONT[0], 12, indent=False)

    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:
        body._element.getparent().remove(body._element)
    lines = [
        ("公文标题", "{{ title }}"),
        ("副标题", "{{ subtitle }}"),
        ("Normal", ""),
        ("{%p for s in sections %}", None),
        ("一级标题", "{{ s.heading }}"),
        ("{%p for line in s.lines %}", None),
        ("Normal", "{{ line }}"),
        ("{%p endfor %}", None),
        ("{%p if s.chart %}", None),
        ("图", "{{ s.chart }}"),
        ("{%p endif %}", None),
        ("{%p for t in s.tables %}", None),
        ("表题", "{{ t.title }}"),
        ("{{p t.table }}", None),
        ("{%p endfor %}", None),
        ("{%p endfor %}", None),
        ("Normal", ""),
        ("说明", "注:{{ basis }}个人信息已脱敏。{{ note }}"),
        ("说明", "统计单位:{{ unit }};生成时间:{{ issued }}。"),
    ]
    for style_name, text in lines:
        if text is None:
            doc.add_paragraph(style_name, style="Normal")
        else:
            doc.add_paragraph(text, style=style_name)
    _font_alternatives(doc)
    doc.core_properties.title = f"{KINDS[kind]}模板"
    doc.core_properties.author = "jiesu"
    doc.core_properties.created = dt.datetime(2026, 1, 1)
    doc.core_properties.modified = dt.datetime(2026, 1, 1)
    doc.core_properties.last_modified_by = "jiesu"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_number(section) -> None:
    """ "— 1 —" centred in the footer (宋体 四号, as GB/T 9704 puts the page number)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")
    for r in paragraph.runs:
        r.font.size = Pt(14)
        _east_asian(r._element.get_or_add_rPr(), "宋体")


def _font_alternatives(doc) -> None:
    """Declare the named fonts in the font table, each with a free alternative (w:altName)
    and the GB2312 character set, for a PC without them."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    table = parse_xml(part.blob)
    for name, alternative in (TITLE_FONT, BODY_FONT, HEADING_FONT, ("宋体", "Noto Serif CJK SC")):
        for old in table.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                table.remove(old)
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                '<w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/>'
                "</w:font>"
            )
        )
    from lxml import etree

    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- Excel -------------------------------------------------------------------------------

NUMBER_FORMATS = {"int": "#,##0", "rate": "0.0%", "score": "0.0"}


def write_xlsx(figures: Figures, out: Path) -> None:
    """The report's tables, one sheet each, after a 概况 sheet with the headline numbers
    and the report's sentences. Numbers are numbers; rates are fractions shown as 0.0%."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "概况"
    sheet.append([figures.title])
    sheet.append([figures.subtitle])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["指标", "本期"])
    n = figures.numbers
    headline = [
        ("受理量(按来电时间)", n["received"], "int"),
        ("办结量(按办结时间)", n["closed"], "int"),
        *((label, n[key], "rate") for key, label in RATES),
        ("综合成绩", n["score"], "score"),
        ("排名", n["rank"], "int"),
        ("上期受理量", n["previous_received"], "int"),
        ("去年同期受理量", n["year_before_received"], "int"),
    ]
    for label, value, kind in headline:
        sheet.append([label, value])
        if value is not None:
            sheet.cell(sheet.max_row, 2).number_format = NUMBER_FORMATS[kind]
    sheet.append([])
    for section in figures.sections:
        sheet.append([section.heading])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for line in section.lines:
            sheet.append([line])
            sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=False)
    sheet.append([])
    sheet.append([f"注:{BASIS}个人信息已脱敏。"])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 14
    used = {"概况"}
    for table in figures.tables():
        name = table.sheet[:31]
        while name in used:
            name = f"{name[:28]}_{len(used)}"
        used.add(name)
        ws = book.create_sheet(name)
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append(table.headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([copy.copy(v) for v in row])
            for c, kind in enumerate(table.kinds, start=1):
                if kind in NUMBER_FORMATS and row[c - 1] is not None:
                    ws.cell(ws.max_row, c).number_format = NUMBER_FORMATS[kind]
        for c, kind in enumerate(table.kinds, start=1):
            letter = ws.cell(2, c).column_letter
            ws.column_dimensions[letter].width = 30 if kind == "text" else 14
    book.save(out)


# --- PDF ---------------------------------------------------------------------------------


def write_pdf(figures: Figures, out: Path) -> None:
    """The report as an A4 PDF in the Word layout's page format and fonts."""
    import base64

    from django.template.loader import render_to_string

    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except OSError as err:  # Pango or HarfBuzz missing on this machine
        raise ValueError(
            "本机缺少生成 PDF 所需的系统组件(Pango),请用 Word 或 Excel 格式,"
            "或请管理员安装 libpango-1.0-0 与 libpangoft2-1.0-0。"
        ) from err

    images = {}
    for chart in figures.charts():
        data = charts.png(chart)
        if data is not None:
            images[chart.key] = "data:image/png;base64," + base64.b64encode(data).decode()
    sections = [
        {
            "heading": s.heading,
            "lines": s.lines,
            "chart": images.get(s.chart.key) if s.chart else None,
            "tables": [
                {
                    "title": t.title,
                    "headers": t.headers,
                    "rows": [
                        [(cell_text(v, k), k != "text") for v, k in zip(row, t.kinds, strict=True)]
                        for row in t.rows
                    ],
                }
                for t in s.tables
            ],
        }
        for s in figures.sections
    ]
    context = {
        "title": figures.title,
        "subtitle": figures.subtitle,
        "unit": figures.unit.name,
        "issued": f"{figures.issued.astimezone(LOCAL):%Y年%m月%d日 %H:%M}",
        "basis": BASIS,
        "note": note_of(figures),
        "sections": sections,
        "margins": MARGINS_MM,
        "fonts": {"title": TITLE_FONT, "body": BODY_FONT, "heading": HEADING_FONT},
        "sizes": {"title": TITLE_PT, "body": BODY_PT, "table": TABLE_PT},
    }
    html = render_to_string("reports/report_pdf.html", context)
    css = render_to_string("reports/report_pdf.css", context)
    # the images are inline (data:); nothing else is read, from the network or the disk
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=5)
    HTML(string=html, url_fetcher=fetcher).write_pdf(
        str(out), stylesheets=[CSS(string=css, url_fetcher=fetcher)]
    )
