"""The one reader of Chinese values: date-times, time limits, numbers, phone numbers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.intake import columns, values
from jiesu.intake.values import Duration

LOCAL = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-30 08:05", at("2026-11-30 08:05")),
        ("2026/11/30 8:05:00", at("2026-11-30 08:05")),
        ("2026年11月30日8时5分", at("2026-11-30 08:05")),
        ("2026年11月30日 8时5分30秒", at("2026-11-30 08:05:30")),
        ("2026年3月2日9时", at("2026-03-02 09:00")),
        ("2026年3月2日 下午3时05分", at("2026-03-02 15:05")),
        ("2026年3月2日 晚上9点", at("2026-03-02 21:00")),
        ("2026-03-02T09:15", at("2026-03-02 09:15")),
        ("2026-03-02T01:15:00+00:00", at("2026-03-02 09:15")),
        ("2026-03-02T01:15:00Z", at("2026-03-02 09:15")),
        ("2026.03.02 21:15", at("2026-03-02 21:15")),
        ("２０２６－０３－０２　０９：１５", at("2026-03-02 09:15")),
        ("20260302091500", at("2026-03-02 09:15")),
        # refusals: a date alone, an impossible day or hour, no year, words, junk
        ("2026-03-02", None),
        ("2026年3月2日", None),
        ("2026-02-30 09:15", None),
        ("2026-03-02 25:00", None),
        ("20260230091500", None),
        ("3月2日 9:15", None),
        ("2026-03-02 09:15 补录", None),
        ("昨天上午", None),
        ("", None),
        ("-", None),
    ],
)
def test_a_datetime_is_exactly_one_of_the_forms(text, expected):
    assert values.parse_datetime(text) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-03-02", at("2026-03-02 00:00")),
        ("2026/3/2", at("2026-03-02 00:00")),
        ("2026年3月2日", at("2026-03-02 00:00")),
        (dt.date(2026, 3, 2), at("2026-03-02 00:00")),
        (dt.datetime(2026, 3, 2, 9, 15), at("2026-03-02 09:15")),
        ("2026-03-02 09:15:00", at("2026-03-02 09:15")),
        ("不详", None),
        ("2026-03", None),
    ],
)
def test_with_midnight_a_date_alone_is_its_start(value, expected):
    assert values.parse_datetime(value, midnight=True) == expected


def test_an_aware_datetime_keeps_its_moment():
    utc = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    assert values.parse_datetime(utc) == at("2026-03-02 09:15")


def test_finding_a_datetime_inside_a_text():
    found = values.find_datetime("派单于2026-03-02 11:40,请尽快")
    assert (found.when, found.exact, found.day) == (at("2026-03-02 11:40"), False, None)
    date_only = values.find_datetime("截止 2026-03-09")
    assert (date_only.when, date_only.exact, date_only.day) == (None, False, dt.date(2026, 3, 9))
    nothing = values.find_datetime("尽快办理")
    assert (nothing.when, nothing.exact, nothing.day) == (None, False, None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0", 0),
        ("15", 15),
        ("１５", 15),
        ("零", 0),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("一十五", 15),
        ("二十", 20),
        ("二十一", 21),
        ("一百", 100),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一百五", 150),
        ("两千", 2000),
        ("一千零五十", 1050),
        ("三千二百零一", 3201),
        # refusals
        ("", None),
        ("百", None),
        ("二四", None),
        ("十十", None),
        ("一百零", None),
        ("一百零五十", None),
        ("零五", None),
        ("一万", None),
        ("十五天", None),
        ("-3", None),
        ("1e9", None),
        ("3.5", None),
    ],
)
def test_numbers_in_digits_and_in_chinese(text, expected):
    assert values.number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3天", Duration(3, hours=False)),
        ("两天", Duration(2, hours=False)),
        ("七天", Duration(7, hours=False)),
        ("7 日", Duration(7, hours=False)),
        ("15个自然日", Duration(15, hours=False)),
        ("十五个工作日", Duration(15, hours=False, working_days=True)),
        ("48小时", Duration(48, hours=True)),
        ("二十四小时", Duration(24, hours=True)),
        ("24时", Duration(24, hours=True)),
        ("2个钟头", Duration(2, hours=True)),
        ("０天", Duration(0, hours=False)),
        # refusals: a date, words, a sign, no unit, an unreadable amount
        ("2026-03-09", None),
        ("尽快", None),
        ("-3天", None),
        ("1e9天", None),
        ("7", None),
        ("十十天", None),
        ("按7天办理", None),
    ],
)
def test_a_duration_is_the_whole_value(text, expected):
    assert values.parse_duration(text) == expected


def test_durations_found_in_a_text():
    assert values.find_durations("按7天办理") == [Duration(7, hours=False)]
    assert values.find_durations("3天或24小时") == [Duration(3, False), Duration(24, True)]
    # inside a text a lone 时 is a time of day, not hours
    assert values.find_durations("下午3时前") == []
    assert values.find_durations("十十天") == [None]


@pytest.mark.parametrize(
    "text, numbers, beside",
    [
        ("13812345678", ["13812345678"], ""),
        ("138 1234 5678", ["138 1234 5678"], ""),
        ("010-8888 6666", ["010-8888 6666"], ""),
        ("+86 138 1234 5678", ["+86 138 1234 5678"], ""),
        ("１３７００００２２２２", ["13700002222"], ""),
        ("13900001111、13900002222", ["13900001111", "13900002222"], ""),
        ("13900001111(王女士)", ["13900001111"], "王女士"),
        ("无", [], "无"),
    ],
)
def test_phone_numbers_in_a_text(text, numbers, beside):
    assert values.phone_numbers(text) == numbers
    assert values.beside_phone_numbers(text) == beside


@pytest.mark.parametrize(
    "number, expected",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("010-8888 6666", None),
        ("23812345678", None),
        ("1381234567", None),
    ],
)
def test_a_mobile_number_is_its_eleven_digits(number, expected):
    assert values.mobile(number) == expected


def test_masked_numbers_and_phone_or_account():
    assert values.is_masked("138****5678") and not values.is_masked("13812345678")
    assert values.is_phone_number("010-8888 6666") and values.is_phone_number("(010)88886666")
    assert not values.is_phone_number("1234") and not values.is_phone_number("wx_zhang")


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("7天", {"limit_days": 7}),
        ("七天", {"limit_days": 7}),
        ("3个工作日", {"limit_days": 3}),
        ("24小时", {"limit_hours": 24}),
        ("24时", {"limit_hours": 24}),
        ("2026-03-09 09:15:00", {"platform_due_at": at("2026-03-09 09:15")}),
        ("2026-03-09", {"platform_due_at": at("2026-03-09 00:00")}),
    ],
)
def test_an_exports_time_limit(cell, expected):
    assert columns.parse_due(cell) == expected


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("0天", "办理时限应在1至366天之间"),
        ("367天", "办理时限应在1至366天之间"),
        ("99999999999999999999小时", "办理时限应在1至1440小时之间"),
        ("尽快", "无法识别的日期时间"),
        ("-3天", "无法识别的日期时间"),
    ],
)
def test_an_exports_impossible_time_limit_is_refused(cell, reason):
    with pytest.raises(columns.BadValue, match=reason):
        columns.parse_due(cell)


STALLS = ["城乡建设", "市容环卫", "占道经营"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("城乡建设->市容环卫->占道经营", STALLS),
        ("城乡建设 > 市容环卫 > 占道经营", STALLS),
        ("城乡建设/市容环卫/占道经营", STALLS),
        ("城乡建设-市容环卫-占道经营", STALLS),
        ("城乡建设－＞市容环卫／占道经营", STALLS),
        ("城乡建设→市容环卫》占道经营", STALLS),
        ("城乡建设=>市容环卫—占道经营", STALLS),
        ("城乡建设\\市容环卫\\占道经营", STALLS),
        (" 公共服务 -> 供水 ", ["公共服务", "供水"]),
        ("占道经营", ["占道经营"]),
        ("->", []),
        ("", []),
    ],
)
def test_category_levels(text, expected):
    assert values.category_levels(text) == expected


@given(st.text())
def test_any_text_is_read_or_refused_never_an_error(text):
    values.find_datetime(text)
    values.parse_datetime(text, midnight=True)
    values.parse_duration(text)
    values.find_durations(text)
    values.number(text)
    values.category_levels(text)
    for found in values.phone_numbers(text):
        values.mobile(found)
