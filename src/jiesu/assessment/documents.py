"""The 情况说明 of an exemption or appeal application as a Word document, ready to print.

The citizen's personal data is masked, in the fields and wherever it recurs in the title
and content; so is any other mobile number in them.
"""

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from jiesu.assessment.applications import recorded_confirmations
from jiesu.assessment.models import ApplicationKind
from jiesu.cases.models import Platform
from jiesu.core.masking import mask_text, masked, own_data

TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号


def _scrub(text: str, case) -> str:
    """The text with the caller's own data, and any phone, identity-card or bank-card
    number, masked."""
    return mask_text(text, own_data(case))


def _font(run, name: str, size, *, bold: bool = False) -> None:
    # Word picks the East-Asian font for Chinese text: set it beside the Latin one
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, *, font=BODY_FONT, bold=False, indent=True, align=None):
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32) if indent else None
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), font, BODY_SIZE, bold=bold)
    return paragraph


def _heading(doc, text: str):
    return _paragraph(doc, text, font=HEADING_FONT)


def _callback(case) -> str:
    if case.callback_at is None:
        return "尚未回访"
    parts = [
        "有效回访" if case.callback_valid else "无效回访",
        "已联系" if case.callback_contacted else "未联系",
        case.get_callback_solved_display(),
        case.get_callback_satisfaction_display(),
    ]
    return "、".join(p for p in parts if p)


def explanation_document(app) -> bytes:
    """关于工单XXXX的情况说明 as .docx bytes."""
    case = app.case
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(16)
    _font(title.add_run(f"关于工单{case.platform_no}的情况说明"), TITLE_FONT, TITLE_SIZE, bold=True)

    kind = ApplicationKind(app.kind).label
    home = case.street or case.district
    _paragraph(
        doc,
        f"我单位现就{Platform(case.platform).label}平台工单{case.platform_no}申请“{kind}”,"
        "有关情况说明如下:",
    )
    _heading(doc, "一、工单基本情况")
    received = timezone.localtime(case.received_at)
    facts = [
        ("工单编号", case.platform_no),
        ("来电时间", f"{received:%Y年%m月%d日 %H:%M}"),
        ("问题分类", str(case.category) if case.category else "—"),
        ("来电人", masked("caller_name", case.caller_name) or "—"),
        ("标题", _scrub(case.title, case)),
        ("主要内容", _scrub(case.content, case)),
        ("主办单位", case.lead_unit.name if case.lead_unit else "—"),
        ("回访结果", _callback(case)),
    ]
    for label, value in facts:
        _paragraph(doc, f"{label}:{value}")
    _heading(doc, "二、申请类型及理由")
    _paragraph(doc, f"申请类型:{kind}")
    _paragraph(doc, f"申请理由:{app.ground.name}")
    _paragraph(doc, f"考核周期:{app.period}")
    _heading(doc, "三、具体情况")
    for line in app.explanation.splitlines():
        if line.strip():
            _paragraph(doc, _scrub(line.strip(), case))
    _heading(doc, "四、证明材料")
    evidence = [a.name for a in app.evidence.order_by("pk")]
    evidence += [f"{item}(已另行提供)" for item in recorded_confirmations(app)]
    for number, name in enumerate(evidence, start=1):
        _paragraph(doc, f"{number}. {name}")
    if not evidence:
        _paragraph(doc, "无")

    doc.add_paragraph()
    applicant = app.created_by.get_full_name() or app.created_by.username
    created = timezone.localtime(app.created_at)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, f"申请单位:{home.name}", indent=False, align=right)
    _paragraph(doc, f"申请人:{applicant}", indent=False, align=right)
    _paragraph(doc, f"{created.year}年{created.month}月{created.day}日", indent=False, align=right)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
