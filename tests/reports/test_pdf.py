"""The PDF report: its numbers read back from the PDF's text against the API's scores, its
first page rendered to PNG (kept with the test output) and looked at for ink."""

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from jiesu.org.access import Reach
from jiesu.reports import charts, documents
from tests.reports.conftest import NOW
from tests.reports.test_documents import api_scores, pct

OUTPUT = Path(os.environ.get("JIESU_TEST_OUTPUT", "test-results")) / "reports"


@pytest.fixture
def pdf(street_period, org, people, tmp_path):
    return documents.build(
        "monthly",
        reach=Reach(people["zuzhang"], at=NOW),
        period="2026-10",
        unit=org["street"].pk,
        fmt="pdf",
        out=tmp_path / "月报-2026-10.pdf",
        now=NOW,
    )


def pdf_text(path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def test_pdf_numbers_equal_the_api(pdf, client, org, people):
    api = api_scores(client, people["zuzhang"], "2026-10", org["street"])
    pooled = api["pooled"]
    text = pdf_text(pdf).replace("\r", "")
    flat = text.replace("\n", "")
    # by hand (as the Word report's test): 7 received in the period, one in 2026-09
    assert pooled["received"] == 7
    assert f"本期共受理诉求{pooled['received']}件" in flat
    assert "环比上升600.0%" in flat
    assert f"响应率{pct(pooled['response_rate'])}" in flat
    assert f"综合成绩{pooled['score']:.1f}分" in flat
    assert "霍营街道12345市民服务热线诉求办理月报" in flat
    # the page number in the footer, as GB/T 9704 puts it
    assert "— 1 —" in text


def test_pdf_is_a4_and_its_first_page_has_ink(pdf):
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[0]
        width, height = page.get_size()  # points
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
        assert len(document) >= 2
        image = page.render(scale=1.5).to_pil().convert("L")
    finally:
        document.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    image.save(OUTPUT / "月报-2026-10-第1页.png")
    # the title's band (between the 37 mm top margin and the first heading) holds dark pixels,
    # the left margin (28 mm) none: the fonts rendered and the margins are kept
    px_per_mm = image.width / 210
    title_band = image.crop((0, int(37 * px_per_mm), image.width, int(52 * px_per_mm)))
    margin = image.crop((0, 0, int(27 * px_per_mm), image.height))
    assert title_band.getextrema()[0] < 100
    assert margin.getextrema()[0] > 200


def test_pdf_fonts_are_embedded_and_charts_drawn(pdf):
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(pdf))
    try:
        objects = [o for page in document for o in page.get_objects()]
        fonts = [raw.FPDFTextObj_GetFont(o.raw) for o in objects if o.type == raw.FPDF_PAGEOBJ_TEXT]
        images = [o for o in objects if o.type == raw.FPDF_PAGEOBJ_IMAGE]
        # every piece of text is set in a font that travels with the file
        assert fonts and all(raw.FPDFFont_GetIsEmbedded(f) == 1 for f in fonts)
    finally:
        document.close()
    if charts.cjk_font() is not None:
        assert len(images) >= 2


def test_no_caller_name_or_phone_in_the_pdf(pdf):
    text = pdf_text(pdf).replace("\n", "")
    assert "13812341234" not in text
    assert "张三" not in text
    assert "占道经营" in text
