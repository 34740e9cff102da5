"""The figures of a report: sentences, scores of any window, a unit's own numbers, the
typical cases; expected values worked out by hand from tests/reports/conftest.py."""

import datetime as dt

import pytest

from jiesu.assessment.queries import scores
from jiesu.cases.errors import RoleRefused
from jiesu.org.access import Reach
from jiesu.reports import charts, documents, figures, windows
from tests.conftest import at
from tests.reports.conftest import NOW, PII_CONTENT

D = dt.date


def test_change_and_points_wording():
    assert figures.change_text(1032, 954, "环比") == "环比上升8.2%"  # 78 / 954 = 8.18%
    assert figures.change_text(1000, 1032, "同比") == "同比下降3.1%"  # 32 / 1032 = 3.10%
    assert figures.change_text(1000, 1000, "环比") == "环比持平"
    assert figures.change_text(0, 0, "环比") == "环比持平"
    assert figures.change_text(5, 0, "环比") == "环比新增5件(上期为0)"
    assert figures.change_text(5, None, "同比") == "同比无可比数据"
    assert figures.change_text(1234, 1000, "环比") == "环比上升23.4%"
    assert figures.points_text(0.983, 0.971, rate=True) == ",较上期上升1.2个百分点"
    assert figures.points_text(88.5, 90.0, rate=False) == ",较上期下降1.5分"
    assert figures.points_text(0.5, 0.5, rate=True) == ",较上期持平"
    assert figures.points_text(None, 0.5, rate=True) == ""
    assert figures.pct_text(0.98333) == "98.3%"
    assert figures.count_text(1032) == "1,032"


def test_a_window_over_the_period_scores_as_the_period(street_period, org):
    """The same counts, rates and ranks whether read as period 2026-10 or as a 专报 over
    its days: one rule, counted two ways."""
    by_days = figures.window_scores(windows.special(D(2026, 9, 19), D(2026, 10, 18)), org["street"])
    period = scores("2026-10", org["street"])
    assert by_days["pooled"] == period["pooled"]
    assert by_days["rows"] == period["rows"]
    district = figures.window_scores(
        windows.special(D(2026, 9, 19), D(2026, 10, 18)), org["district"]
    )
    assert district["rows"] == scores("2026-10", org["district"])["rows"]


def test_weekly_figures_by_hand(street_period, org, people):
    # the week of Monday 10-05: hly1, hly2, hly3 (10-05 to 10-07) and the open case (10-10)
    week = windows.weekly(D(2026, 10, 7))
    result = figures.build_figures("weekly", week, reach=Reach(people["zuzhang"], at=NOW), now=NOW)
    n = result.numbers
    assert (n["received"], n["closed"]) == (4, 3)
    # 3 valid callbacks, all contacted; solved 2 of 3; (2 satisfied + 0.9 basic) / 3
    assert n["response_rate"] == pytest.approx(1.0)
    assert n["resolution_rate"] == pytest.approx(2 / 3)
    assert n["satisfaction_rate"] == pytest.approx(2.9 / 3)
    # (0.1 × 1 + 0.5 × 0.6667 + 0.4 × 0.9667) × 100 = 82.0
    assert n["score"] == 82.0
    overview = result.sections[0].lines[0]
    # the week before had no case, but there were cases by then (from 09-18); none a year before
    assert overview == "本期共受理诉求4件,环比新增4件(上期为0),同比无可比数据;办结3件(按办结时间)。"
    assert result.subtitle == "2026年10月5日至2026年10月11日"
    assert result.title == "霍营街道12345市民服务热线诉求办理周报"


def test_daily_figures_take_the_noon_window(street_period, people):
    # 10-05 12:00 to 10-06 12:00 holds hly2 (10-06 09:00) only; hly1 (10-05 09:00) is before
    day = windows.daily(D(2026, 10, 6))
    result = figures.build_figures("daily", day, reach=Reach(people["zuzhang"], at=NOW), now=NOW)
    assert result.numbers["received"] == 1
    # closed in it: hly1 (10-05 09:00, closed 6 hours later); hly2 closes at 15:00, after it
    assert result.numbers["closed"] == 1
    trend = result.sections[0].chart
    assert len(trend.labels) == 24 and trend.labels[0] == "12时"
    assert sum(trend.values) == 1 and trend.values[21] == 1  # 09:00 is the 22nd hour from 12:00


def test_a_community_report_counts_its_own_cases(street_period, org, people):
    reach = Reach(people["shequ"], at=NOW)
    result = figures.build_figures("monthly", windows.monthly("2026-10"), reach=reach, now=NOW)
    assert result.unit == org["hly"]
    # as the street's table counts 华龙苑南里社区: 3 received in the period, and the 09-18
    # case closed in it as well
    row = next(
        r for r in scores("2026-10", org["street"])["rows"] if r["unit"]["id"] == org["hly"].pk
    )
    assert (result.numbers["received"], result.numbers["closed"]) == (3, 4)
    assert (row["received"], row["closed"]) == (3, 4)
    assert result.numbers["score"] == row["score"]
    # the handler does not reach the street: no rank among its units
    assert result.numbers["rank"] is None
    with pytest.raises(RoleRefused):
        figures.build_figures(
            "monthly", windows.monthly("2026-10"), reach=reach, unit=org["street"].pk, now=NOW
        )


def test_tables_name_their_date_and_typical_cases_are_masked(street_period, people):
    result = figures.build_figures(
        "monthly", windows.monthly("2026-10"), reach=Reach(people["zuzhang"], at=NOW), now=NOW
    )
    for table in result.tables():
        if table.sheet != "典型案例":
            assert "按来电时间" in table.title or "按退回时间" in table.title, table.title
    typical = next(t for t in result.tables() if t.sheet == "典型案例")
    rules = [row[0] for row in typical.rows]
    assert rules == ["重复来电最多", "同一点位反映最多", "超期最久", "评价最差"]
    late = typical.rows[2]
    # the open case at 城市管理科: received 10-10 09:00, due 7 days later, 44 days before NOW
    assert late[4] == "城市管理科" and late[6] == "超过办结时限44天1小时"
    assert typical.rows[3][1] == street_period["xyy"].platform_no
    text = "\n".join(line for s in result.sections for line in s.lines)
    assert "张三" not in text and "13812341234" not in text
    assert "138****1234" in text  # the PII case's content, masked
    assert PII_CONTENT.split(",")[0] not in text
    handling = next(t for t in result.tables() if t.sheet == "办理情况")
    counts = {row[0]: row[1] for row in handling.rows}
    # returned: the one case; overdue now: the open case and the unsigned PII case
    assert counts["退回"] == 1
    assert counts["超期未办结(截至2026年11月30日10:00)"] == 2
    assert counts["按时签收(30分钟内签收)"] == 5


def test_without_a_cjk_font_the_report_has_no_chart_and_says_so(
    street_period, people, tmp_path, monkeypatch
):
    import docx

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    path = documents.build(
        "weekly",
        reach=Reach(people["zuzhang"], at=NOW),
        date=D(2026, 10, 7),
        out=tmp_path / "周报.docx",
        now=NOW,
    )
    document = docx.Document(path)
    assert len(document.inline_shapes) == 0
    assert any(charts.NO_FONT_NOTE in p.text for p in document.paragraphs)


def test_an_unknown_format_is_refused(people, tmp_path):
    with pytest.raises(ValueError, match="暂不支持"):
        documents.build("monthly", reach=Reach(people["zuzhang"]), fmt="odt", out=tmp_path / "x")


def test_a_case_at_noon_opens_the_next_daily_window(org, people, make_case):
    make_case(received_at=at("2026-10-06 12:00"))
    make_case(received_at=at("2026-10-06 11:59"))
    reach = Reach(people["zuzhang"], at=NOW)
    ending_6th = figures.build_figures("daily", windows.daily(D(2026, 10, 6)), reach=reach, now=NOW)
    ending_7th = figures.build_figures("daily", windows.daily(D(2026, 10, 7)), reach=reach, now=NOW)
    assert ending_6th.numbers["received"] == 1  # 11:59
    assert ending_7th.numbers["received"] == 1  # 12:00
    # before the 6th's window there was no case yet: nothing to compare with
    assert ending_6th.numbers["previous_received"] is None
    assert ending_7th.numbers["previous_received"] == 1
    assert ending_7th.sections[0].lines[0].startswith("本期共受理诉求1件,环比持平,同比无可比数据")


def test_a_count_chart_has_whole_numbers_on_its_axis():
    """A trend of 0 and 1 cases: matplotlib would put 0.2, 0.4 … on the axis."""
    from jiesu.reports.figures import Chart

    chart = Chart("t", "受理量", "line", ["10-01", "10-02", "10-03"], [0, 1, 0])
    if charts.cjk_font() is None:
        pytest.skip("no CJK font")
    ticks = charts.value_ticks(chart)
    assert ticks and all(float(t).is_integer() for t in ticks)
