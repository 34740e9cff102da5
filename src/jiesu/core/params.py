"""Reading numbers that people and programs type into addresses and forms."""

import datetime as dt
import re

# ASCII digits only ("²".isdigit() is true), and few enough to fit a 64-bit key
ID = re.compile(r"[0-9]{1,18}")


def as_id(value) -> int | None:
    """The id a request parameter names, or None when it names none."""
    text = str(value).strip() if value is not None else ""
    return int(text) if ID.fullmatch(text) else None


# The dates jiesu reads from people and programs: cases begin in this century.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
DATE_RANGE_MESSAGE = "日期须在 2000 年至 2099 年之间。"
# Free-text search: long enough for any real question, short enough to stay fast.
MAX_SEARCH_CHARS, MAX_SEARCH_WORDS = 100, 10
SEARCH_MESSAGE = f"检索词过长:最多 {MAX_SEARCH_CHARS} 个字、{MAX_SEARCH_WORDS} 个词。"


def date_in_range(day) -> bool:
    return day is None or FIRST_DAY <= day <= LAST_DAY


def search_ok(query) -> bool:
    return not query or (len(query) <= MAX_SEARCH_CHARS and len(query.split()) <= MAX_SEARCH_WORDS)
