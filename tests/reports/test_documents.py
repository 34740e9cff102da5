"""Reports as Word and Excel files, opened and checked against the API's scores."""

import re
import zipfile

import docx
import pytest
from openpyxl import load_workbook

from jiesu.core.models import ApiToken
from jiesu.org.access import Reach
from jiesu.reports import charts, documents
from tests.reports.conftest import NOW

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def api_scores(client, user, period, unit):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"}
    response = client.get(f"/api/v1/scores?period={period}&unit={unit.pk}", **auth)
    assert response.status_code == 200
    return response.json()


def pct(rate):
    return f"{rate * 100:.1f}%"


def all_text(path) -> str:
    """Every text of a .docx or .xlsx, from every XML part (headers, tables, sheets)."""
    with zipfile.ZipFile(path) as z:
        xml = "".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))
        )
    return re.sub(r"<[^>]+>", "", xml)


@pytest.fixture
def monthly(street_period, org, people, tmp_path):
    reach = Reach(people["zuzhang"], at=NOW)
    out = {}
    for fmt in ("docx", "xlsx"):
        out[fmt] = documents.build(
            "monthly",
            reach=reach,
            period="2026-10",
            unit=org["street"].pk,
            fmt=fmt,
            out=tmp_path / f"月报-2026-10.{fmt}",
            now=NOW,
        )
    return out


def test_monthly_docx_numbers_equal_the_api(monthly, client, org, people):
    api = api_scores(client, people["zuzhang"], "2026-10", org["street"])
    pooled = api["pooled"]
    # by hand: 7 received in the period (4 closed with callbacks, the open, returned and
    # waiting ones); the 09-18 case counts in 2026-09's 受理量
    assert pooled["received"] == 7
    document = docx.Document(monthly["docx"])
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"本期共受理诉求{pooled['received']}件" in text
    assert f"办结{pooled['closed']}件(按办结时间)" in text
    # one case in 2026-09 (received 09-18 23:00): 7 against 1
    assert "环比上升600.0%" in text
    assert "同比无可比数据" in text
    assert f"响应率{pct(pooled['response_rate'])}" in text
    assert f"综合成绩{pooled['score']:.1f}分" in text
    # the score table: the street's row then one per unit, as the API ranks them
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "单位")
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[1][:3] == ["霍营街道", str(pooled["received"]), str(pooled["closed"])]
    for row in api["rows"]:
        shown = next(r for r in cells if r[0] == row["unit"]["name"])
        assert shown[1] == str(row["received"])
        rates = [row[k] for k in ("response_rate", "resolution_rate", "satisfaction_rate")]
        assert shown[3:6] == [pct(r) if r is not None else "—" for r in rates]
        assert shown[6] == (f"{row['score']:.1f}" if row["score"] is not None else "—")


def test_monthly_xlsx_numbers_equal_the_api(monthly, client, org, people):
    api = api_scores(client, people["zuzhang"], "2026-10", org["street"])
    book = load_workbook(monthly["xlsx"])
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=5, values_only=True)}
    assert summary["受理量(按来电时间)"] == api["pooled"]["received"]
    assert summary["办结量(按办结时间)"] == api["pooled"]["closed"]
    assert summary["响应率"] == pytest.approx(api["pooled"]["response_rate"])
    assert summary["综合成绩"] == api["pooled"]["score"]
    assert summary["上期受理量"] == 1
    sheet = book["考核成绩"]
    assert [c.value for c in sheet[2]][:3] == ["单位", "受理量(按来电时间)", "办结量(按办结时间)"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    for expected in api["rows"]:
        row = rows[expected["unit"]["name"]]
        assert row[1].value == expected["received"]
        assert isinstance(row[1].value, int)
        if expected["response_rate"] is not None:
            assert row[3].value == pytest.approx(expected["response_rate"])
            assert row[3].number_format == "0.0%"
    assert set(book.sheetnames) >= {"概况", "受理渠道", "问题分类", "办理情况", "典型案例"}


def test_docx_page_fonts_and_chart(monthly):
    document = docx.Document(monthly["docx"])
    section = document.sections[0]
    # stored in twentieths of a point: A4 is 11906 × 16838
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert tuple(round(m.mm) for m in margins) == (37, 35, 28, 26)
    title = document.paragraphs[0]
    assert title.text == "霍营街道12345市民服务热线诉求办理月报"
    fonts = title.style.element.rPr.find(f"{W}rFonts")
    assert fonts.get(f"{W}eastAsia") == "方正小标宋简体"
    assert title.style.font.size.pt == 22
    body = document.styles["Normal"]
    assert body.element.rPr.find(f"{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"
    assert body.font.size.pt == 16
    with zipfile.ZipFile(monthly["docx"]) as z:
        font_table = z.read("word/fontTable.xml").decode()
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="Noto Serif CJK SC"', font_table)
    if charts.cjk_font() is not None:
        assert len(document.inline_shapes) >= 2
    else:
        assert "未安装中文字体" in all_text(monthly["docx"])


def test_no_caller_name_or_phone_in_any_report(monthly):
    for path in monthly.values():
        text = all_text(path)
        assert "13812341234" not in text
        assert "张三" not in text
        assert "华龙苑南里12号楼" not in text
    # the case that repeats them in its content is there, masked
    assert "占道经营" in all_text(monthly["docx"])


def test_rank_is_shown_to_a_reader_of_the_district(street_period, client, org, people, tmp_path):
    api = api_scores(client, people["ducha"], "2026-10", org["district"])
    mine = next(r for r in api["rows"] if r["unit"]["id"] == org["street"].pk)
    path = documents.build(
        "monthly",
        reach=Reach(people["ducha"], at=NOW),
        period="2026-10",
        unit=org["street"].pk,
        fmt="xlsx",
        out=tmp_path / "r.xlsx",
        now=NOW,
    )
    summary = {r[0]: r[1] for r in load_workbook(path)["概况"].iter_rows(values_only=True)}
    assert summary["排名"] == mine["rank"] == 1


def test_an_office_template_with_its_own_placeholders(street_period, org, people, tmp_path):
    """An edited copy of the shipped template: its own sentence with n.* and text.*."""
    edited = docx.Document(documents.TEMPLATES / "monthly.docx")
    edited.add_paragraph("本月受理{{ n.received }}件,响应率{{ text.response_rate }}。")
    edited.save(tmp_path / "monthly.docx")
    path = documents.build(
        "monthly",
        reach=Reach(people["zuzhang"], at=NOW),
        period="2026-10",
        out=tmp_path / "out.docx",
        now=NOW,
        template=tmp_path / "monthly.docx",
    )
    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    # by hand: 3 of 4 valid callbacks contacted
    assert "本月受理7件,响应率75.0%。" in text


@pytest.mark.parametrize(
    ("kind", "given", "subtitle"),
    [
        ("daily", {"date": "2026-10-06"}, "2026年10月5日12:00至2026年10月6日12:00"),
        ("annual", {"period": "2026"}, "2026年度(2025年12月19日至2026年12月18日)"),
        ("special", {"start": "2026-10-01", "end": "2026-10-07"}, "2026年10月1日至2026年10月7日"),
    ],
)
def test_each_kind_builds_from_its_shipped_template(
    street_period, people, tmp_path, kind, given, subtitle
):
    import datetime as dt

    given = {k: (v if k == "period" else dt.date.fromisoformat(v)) for k, v in given.items()}
    path = documents.build(
        kind,
        reach=Reach(people["zuzhang"], at=NOW),
        out=tmp_path / f"{kind}.docx",
        now=NOW,
        **given,
    )
    paragraphs = docx.Document(path).paragraphs
    assert paragraphs[0].text.endswith(documents.KINDS[kind])
    assert paragraphs[1].text == subtitle


def test_built_without_a_reader_as_the_command_and_the_schedule_do(
    street_period, client, org, people, tmp_path
):
    """No reach: any unit, ranked among its parent's units; dates as the command passes
    them (YYYY-MM-DD)."""
    api = api_scores(client, people["ducha"], "2026-10", org["district"])
    mine = next(r for r in api["rows"] if r["unit"]["id"] == org["street"].pk)
    path = documents.build(
        "special",
        reach=None,
        start="2026-09-19",
        end="2026-10-18",
        unit=org["street"].pk,
        fmt="xlsx",
        out=tmp_path / "专报.xlsx",
        now=NOW,
    )
    summary = {r[0]: r[1] for r in load_workbook(path)["概况"].iter_rows(values_only=True)}
    assert summary["受理量(按来电时间)"] == mine["received"] == 7
    assert summary["综合成绩"] == mine["score"]
    assert summary["排名"] == mine["rank"]
    with pytest.raises(ValueError, match="2026-9-1"):
        documents.build("daily", reach=None, date="2026-9-1", out=tmp_path / "x.docx")


@pytest.mark.parametrize(
    ("kind", "given", "first", "last"),
    [
        # the week holding 10-07 runs Monday 10-05 to Sunday 10-11
        ("weekly", {"date": "2026-10-07"}, "2026-10-05", "2026-10-11"),
        ("special", {"start": "2026-09-19", "end": "2026-10-12"}, "2026-09-19", "2026-10-12"),
    ],
)
def test_a_week_and_a_range_count_what_the_case_list_counts(
    street_period, client, org, people, tmp_path, kind, given, first, last
):
    """受理量 and 办结量 of a window made of whole days equal the API's case list filtered
    by the same received and closed days, for the same street."""
    import datetime as dt

    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['zuzhang'])}"}

    def listed(query):
        url = f"/api/v1/cases?unit={org['street'].pk}&{query}"
        return client.get(url, **auth).json()["count"]

    received = listed(f"received_from={first}&received_to={last}")
    closed = listed(f"closed_from={first}&closed_to={last}")
    # by hand: the week holds hly1 (10-05), hly2 (10-06), hly3 (10-07) and the open case
    # (10-10); the range adds xyy (09-20), the returned (10-12) and not the 10-15 case
    assert received == {"weekly": 4, "special": 6}[kind]
    path = documents.build(
        kind,
        reach=Reach(people["zuzhang"], at=NOW),
        unit=org["street"].pk,
        fmt="xlsx",
        out=tmp_path / f"{kind}.xlsx",
        now=NOW,
        **{k: dt.date.fromisoformat(v) for k, v in given.items()},
    )
    summary = {r[0]: r[1] for r in load_workbook(path)["概况"].iter_rows(values_only=True)}
    assert summary["受理量(按来电时间)"] == received
    assert summary["办结量(按办结时间)"] == closed


def test_word_tables_span_the_type_area_with_text_columns_wider(monthly):
    """156 mm between the margins (210 − 28 − 26); a text column three times a number's."""
    document = docx.Document(monthly["docx"])
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "单位")
    widths = [c.width.mm for c in table.rows[1].cells]
    assert sum(widths) == pytest.approx(156, abs=0.5)
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.5)
