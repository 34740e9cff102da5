"""Reading numbers that people and programs type into addresses and forms."""

import re

# ASCII digits only ("²".isdigit() is true), and few enough to fit a 64-bit key
ID = re.compile(r"[0-9]{1,18}")


def as_id(value) -> int | None:
    """The id a request parameter names, or None when it names none."""
    text = str(value).strip() if value is not None else ""
    return int(text) if ID.fullmatch(text) else None
