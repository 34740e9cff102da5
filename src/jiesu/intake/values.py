"""Values as platform exports, pasted pages and other systems write them: date-times, time
limits (7天, 二十四小时, 十五个工作日), numbers in Chinese, phone numbers and category paths.

One reader for import, paste, the API and Open311. It never raises on what a user wrote:
it returns None (or nothing found), and each caller says in its own words what it left out.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from jiesu.core.localtime import LOCAL


def nfkc(text) -> str:
    """Full-width digits, letters and colons to plain ones, trimmed (values, never content)."""
    return unicodedata.normalize("NFKC", str(text)).strip()


# --- numbers ------------------------------------------------------------------------

_DIGITS = dict(zip("零〇一二两三四五六七八九", [0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9], strict=True))
_POWERS = {"十": 10, "百": 100, "千": 1000}
# Python refuses to read longer digit strings; no value we read is near it
_MOST_DIGITS = 4000


def number(text) -> int | None:
    """A whole number in digits (15) or in Chinese (十五, 二十一, 一百零五, 两千, 一百五 = 150);
    None for anything else."""
    text = nfkc(text)
    if text.isdecimal():
        return int(text) if len(text) <= _MOST_DIGITS else None
    if not text:
        return None
    total, digit, power, zero = 0, None, 10_000, False
    for ch in text:
        if ch in _DIGITS:
            if digit is not None:
                return None  # 二四: two digits in a row
            if _DIGITS[ch] == 0:
                if total == 0 and len(text) > 1:
                    return None
                zero = True
                continue
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            # 一千零五十, never 一百零五十: after a 零 a power is skipped
            if _POWERS[ch] >= (power // 10 if zero else power) or (zero and digit is None):
                return None
            if digit is None:
                if total or ch != "十":
                    return None
                digit = 1  # 十五
            total += digit * _POWERS[ch]
            power, digit, zero = _POWERS[ch], None, False
        else:
            return None
    if zero and digit is None and total:
        return None  # 一百零
    if digit is not None:
        # 一百五 is 150, 一百零五 is 105
        total += digit * (power // 10 if total and power >= 100 and not zero else 1)
    return total


# --- date-times ---------------------------------------------------------------------

_DATETIME_RE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T?\s*(?P<noon>上午|下午|中午|晚上|凌晨)?\s*"
    r"(?P<h>\d{1,2})\s*[:时点]\s*(?:(?P<mi>\d{1,2})\s*分?\s*(?::?\s*(?P<s>\d{1,2})\s*秒?)?)?)?"
)
_COMPACT_RE = re.compile(r"\d{14}")  # 20260302091500


@dataclass(frozen=True)
class Found:
    """The first date-time in a text."""

    when: dt.datetime | None  # None: none found, or a date without a time of day
    exact: bool = False  # the text is only that date-time (or date)
    day: dt.date | None = None  # the date, when it was written without a time of day


def find_datetime(text) -> Found:
    """The first date-time in the text, in Beijing time: 2026-03-02 09:15[:00],
    2026/3/2 9:15, 2026.03.02 21:15, 2026年3月2日 下午3时05分, 2026-03-02T09:15[+08:00],
    20260302091500."""
    text = nfkc(text)
    try:
        return Found(None, True, dt.date.fromisoformat(text))
    except ValueError:
        pass
    if len(text) > 10:
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            local = when.replace(tzinfo=LOCAL) if when.tzinfo is None else when
            try:
                return Found(local.astimezone(LOCAL), True)
            except OverflowError:
                return Found(None)
    if _COMPACT_RE.fullmatch(text):
        try:
            return Found(dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=LOCAL), True)
        except ValueError:
            return Found(None)
    m = _DATETIME_RE.search(text)
    if not m:
        return Found(None)
    exact = m.group() == text
    try:
        day = dt.date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
    except ValueError:
        return Found(None)
    if m.group("h") is None:
        return Found(None, exact, day)
    hour = int(m.group("h"))
    if m.group("noon") in ("下午", "晚上") and hour < 12:
        hour += 12
    try:
        clock = dt.time(hour, int(m.group("mi") or 0), int(m.group("s") or 0))
    except ValueError:
        return Found(None)
    return Found(dt.datetime.combine(day, clock, tzinfo=LOCAL), exact)


def parse_datetime(value, *, midnight: bool = False) -> dt.datetime | None:
    """A date-time (a spreadsheet's, or a text that is exactly one of the forms of
    `find_datetime`); with `midnight`, a date alone means the start of that day. A naive
    date-time is Beijing time. None for anything else."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min, tzinfo=LOCAL) if midnight else None
    found = find_datetime(value)
    if not found.exact:
        return None
    if found.when is not None:
        return found.when
    return dt.datetime.combine(found.day, dt.time.min, tzinfo=LOCAL) if midnight else None


# --- time limits ----------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    amount: int
    hours: bool  # in hours; else in days
    working_days: bool = False  # 工作日: counted by the calendar, says the time limit setting


_AMOUNT = r"(?P<n>\d+|[零〇一二两三四五六七八九十百千]+)\s*个?\s*"
# A lone 时 means hours only in a value that is nothing else (24时): inside a text it is
# more often a time of day (下午3时前).
_DURATION_IN_TEXT = re.compile(_AMOUNT + r"(?P<unit>工作日|自然日|天|日|小时|钟头)")
_DURATION = re.compile(_AMOUNT + r"(?P<unit>工作日|自然日|天|日|小时|钟头|时)")


def _duration(m: re.Match) -> Duration | None:
    amount = number(m.group("n"))
    if amount is None:
        return None
    unit = m.group("unit")
    return Duration(amount, unit in ("小时", "钟头", "时"), unit == "工作日")


def parse_duration(text) -> Duration | None:
    """A time limit that is the whole value: 7天, 七天, 15个自然日, 二十四小时, 48小时, 24时,
    十五个工作日. None for anything else."""
    m = _DURATION.fullmatch(nfkc(text))
    return _duration(m) if m else None


def find_durations(text) -> list[Duration | None]:
    """Every time limit written in a text (按7天办理), in order; None where the amount
    cannot be read."""
    return [_duration(m) for m in _DURATION_IN_TEXT.finditer(nfkc(text))]


# --- phone numbers --------------------------------------------------------------------

# 138 1234 5678 and 010-8888 6666 are one number each
_PHONE_RUN = re.compile(r"\+?\d[\d -]*\d")
_PHONE_ONLY = re.compile(r"[\d\-\s+()]{5,}")
_BESIDE_NUMBERS = re.compile(r"\+?\d[\d -]*\d|[\s()\[\],、;]")


def phone_numbers(text) -> list[str]:
    """The phone numbers in a text, as written (spaces and dashes inside kept)."""
    return [n.strip() for n in _PHONE_RUN.findall(nfkc(text))]


def beside_phone_numbers(text) -> str:
    """What the text holds besides its numbers and the separators between them."""
    return _BESIDE_NUMBERS.sub("", nfkc(text))


def is_masked(text) -> bool:
    """A number the platform hid in part: 138****5678."""
    return "*" in nfkc(text)


def mobile(number_text) -> str | None:
    """The 11 digits of a mainland mobile number (a leading 86 dropped), or None: a
    landline, or not a number at all."""
    digits = re.sub(r"\D", "", nfkc(number_text))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if re.fullmatch(r"1\d{10}", digits) else None


def is_phone_number(text) -> bool:
    """A value made only of digits and the signs a phone number is written with
    (来电人电话/账号 holds either a number or an account name)."""
    return bool(_PHONE_ONLY.fullmatch(str(text).strip()))


# --- category paths -------------------------------------------------------------------

# after NFKC: －> is ->, ＞ is >, ／ is /, － is -
_LEVEL_SEPARATOR = re.compile(r"\s*(?:->|=>|→|>|》|/|\\|-|—)\s*")


def category_levels(text) -> list[str]:
    """The levels of a category path: 城乡建设->市容环卫->占道经营, 城乡建设/市容环卫,
    城乡建设 > 市容环卫, 城乡建设-市容环卫 …"""
    return [level.strip() for level in _LEVEL_SEPARATOR.split(nfkc(text)) if level.strip()]
