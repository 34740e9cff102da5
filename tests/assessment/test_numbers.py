"""Numbers as people write them: rates as 98.3 %, scores with one decimal, on the page and
in Excel (number cells with number formats, not text); the risk list with points lost to two
decimals, equal losses nearest their due time first."""

import datetime as dt
import io
import re

from django.utils import timezone
from openpyxl import load_workbook

from jiesu.assessment import rules
from jiesu.assessment.estimate import estimate
from jiesu.cases.models import Case
from jiesu.reports.exports import percent_text, score_text
from tests.conftest import at

GOOD = {"valid": True, "contacted": True, "solved": "solved", "satisfaction": "satisfied"}


def test_percent_and_score_texts():
    assert percent_text(0.98333) == "98.3%"
    assert percent_text(2 / 3) == "66.7%"
    assert percent_text(1) == "100.0%"
    assert percent_text(0) == "0.0%"
    assert percent_text(0.98345) == "98.3%"
    assert percent_text(0.9835) == "98.4%"  # half up on the decimal, as Excel shows it
    assert score_text(78.7) == "78.7"
    assert score_text(100.0) == "100.0"
    assert score_text(46) == "46.0"


def hly_period(closed_case):
    """华龙苑南里社区, three full cases called back: contacted 2 of 3, solved 2 of 3,
    satisfied 2 and basically satisfied 1 of 3."""
    closed_case("hly", **GOOD)
    closed_case("hly", **GOOD)
    closed_case("hly", valid=True, contacted=False, solved="unsolved", satisfaction="basic")


def test_the_page_writes_rates_as_percentages_and_scores_with_one_decimal(
    client, org, people, closed_case
):
    hly_period(closed_case)
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?period=2026-10&unit={org['street'].pk}").content.decode()
    row = re.search(rf'<tr data-score-row="{org["hly"].pk}">.*?</tr>', page, re.S).group(0)
    cell = {k: v for k, v in re.findall(r'data-drill="(\w+)">([^<]*)<', row)}
    # 响应率 2/3, 解决率 2/3, 满意率 (2 + 0.9)/3 = 0.96667
    assert cell["response_rate"] == "66.7%"
    assert cell["resolution_rate"] == "66.7%"
    assert cell["satisfaction_rate"] == "96.7%"
    # (0.1 × 2/3 + 0.5 × 2/3 + 0.4 × 0.96667) × 100 = 78.667 → 78.7
    assert cell["score"] == "78.7"
    assert cell["valid"] == "3"
    assert "0.667" not in page and "0.967" not in page


def test_excel_keeps_numbers_as_numbers_with_formats(client, org, people, closed_case):
    hly_period(closed_case)
    closed_case("xyy", **GOOD)
    client.force_login(people["zuzhang"])
    response = client.get(f"/assessment/export.xlsx?period=2026-10&unit={org['street'].pk}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2) if r[0].value}
    column = {name: header.index(name) for name in header}

    hly = rows["华龙苑南里社区"]
    for name, value in (("响应率", 2 / 3), ("解决率", 2 / 3), ("满意率", 2.9 / 3)):
        cell = hly[column[name]]
        assert isinstance(cell.value, float) and abs(cell.value - value) < 1e-9, name
        assert cell.number_format == "0.0%", name
    score = hly[column["综合成绩"]]
    assert (score.value, score.number_format) == (78.7, "0.0")
    counts = hly[column["有效回访"]]
    assert (counts.value, counts.number_format) == (3, "General")
    assert hly[column["排名"]].value == 2

    xyy = rows["小辛庄村"]
    assert (xyy[column["响应率"]].value, xyy[column["响应率"]].number_format) == (1, "0.0%")
    assert (xyy[column["综合成绩"]].value, xyy[column["综合成绩"]].number_format) == (100, "0.0")

    # the pooled row: 3 of 4 contacted and solved, (3 + 0.9) / 4 satisfied
    pooled = rows["霍营街道(合计)"]
    assert pooled[column["满意率"]].value == 0.975
    assert pooled[column["满意率"]].number_format == "0.0%"
    # (0.1 × 0.75 + 0.5 × 0.75 + 0.4 × 0.975) × 100 = 84.0
    assert pooled[column["综合成绩"]].value == 84.0
    # the mean of the units that have a score: (78.7 + 100.0) / 2 = 89.35 → 89.4, half up
    # (not 89.3, as round() gives on the float 89.349999…)
    mean = rows["各单位平均"]
    assert mean[column["综合成绩"]].value == 89.4
    assert mean[column["综合成绩"]].number_format == "0.0"
    assert mean[column["满意率"]].number_format == "0.0%"
    assert mean[column["排名"]].value is None
    # a unit without a score leaves its rate and score cells empty
    office = rows["城市管理科"]
    assert office[column["综合成绩"]].value is None


def risky_period(make_case, closed_case, base):
    """Two good cases of 华龙苑南里社区 received at `base`, then four open full cases that
    would each cost the same, received in one order and due in another, and a response-only
    one due first; the cases in the order the risk list should give them."""
    when = timezone.localtime(base).strftime("%Y-%m-%d %H:%M")
    closed_case("hly", when=when, **GOOD)
    closed_case("hly", when=when, **GOOD)
    hour = dt.timedelta(hours=1)
    late_due = make_case(received_at=base + hour)
    soon_due = make_case(received_at=base + 2 * hour)
    no_due = make_case(received_at=base)
    overdue = make_case(received_at=base + 3 * hour)
    response_only = make_case(received_at=base, evaluation_type="response")
    for case, due in (
        (late_due, base + 240 * hour),
        (soon_due, base + 48 * hour),
        (no_due, None),
        (overdue, base + 4 * hour),
        (response_only, base + 3 * hour),
    ):
        Case.objects.filter(pk=case.pk).update(due_at=due)
    return [overdue, soon_due, late_due, no_due, response_only]


def test_risk_list_two_decimals_and_equal_losses_nearest_due_first(org, make_case, closed_case):
    expected = risky_period(make_case, closed_case, at("2026-10-08 08:00"))
    live = estimate(org["street"], now=at("2026-10-10 12:00"))
    # a full case ending badly: every rate 2/3 → 66.67, a loss of 33.33; a response-only
    # case: response 2/3, the rest 1 → 96.67, a loss of 3.33 (last, though due first)
    assert [(r.case.pk, round(r.loss, 2)) for r in live["risk"]] == [
        (case.pk, loss) for case, loss in zip(expected, [33.33] * 4 + [3.33], strict=True)
    ]


def test_the_page_shows_the_risk_list_as_people_write_it(
    client, org, people, make_case, closed_case
):
    # the page estimates the current period only: build it an hour or so into the period
    now = timezone.now()
    start, _ = rules.period_bounds(rules.period_of(now))
    base = max(start, now - dt.timedelta(days=3)) + dt.timedelta(minutes=1)
    expected = risky_period(make_case, closed_case, base)
    client.force_login(people["zuzhang"])
    page = client.get(f"/assessment/?unit={org['street'].pk}").content.decode()
    shown = re.findall(r'data-risk-case="(\d+)"><td[^>]* data-risk-loss>([^<]*)<', page)
    assert shown == [
        (str(case.pk), loss) for case, loss in zip(expected, ["33.33"] * 4 + ["3.33"], strict=True)
    ]
    # the estimate's own rates and score as people write them
    assert "data-estimate-score>100.0<" in page
    assert 'data-estimate-rate="response_rate">100.0%<' in page
