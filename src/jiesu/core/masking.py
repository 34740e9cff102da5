"""The one way a citizen's personal data leaves the database: masked, unless revealed.

The structured fields (name, phone, account, address) have a masker each; free text (title,
content, notes, replies) goes through `mask_text`, which finds phone numbers, identity-card
numbers and bank-card numbers written into it and masks them with the same rules, plus the
case's own caller data wherever the text repeats it.
"""

import re

_DIGIT = re.compile(r"\d")
# Numbers in free text, longest first; (?<![\dA-Za-z]) keeps them whole, so a 14-digit case
# number is never taken for a phone. Separators inside a number: space or hyphen.
_ID_CARD = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_BANK_CARD = re.compile(r"(?<![\dA-Za-z])\d{4}(?:[ -]?\d{4}){2}(?:[ -]?\d{4,7})(?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![\dA-Za-z])")
# Landlines: with an area code (010-62345678, 0571 8888 1234) or a bare 8-digit local number.
_LANDLINE = re.compile(
    r"(?<![\dA-Za-z])(0\d{2,3}[ -]?[2-9]\d{6,7}|[2-9]\d{7})(-\d{1,5})?(?![\dA-Za-z])"
)
_COUNTRY = re.compile(r"^\+?86[ -]?")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last two digits."""
    if not phone:
        return ""
    digits = "".join(_DIGIT.findall(phone))
    if len(digits) >= 10:  # a mobile, or a landline with its area code: the prefix stays
        return digits[:3] + "****" + digits[-4:]
    if len(digits) >= 7:  # a local number: only its last four
        return "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_account(account: str) -> str:
    if not account:
        return ""
    if len(account) <= 4:
        return account[0] + "***"
    return account[:2] + "****" + account[-2:]


def mask_address(address: str) -> str:
    """Keeps the place up to the first number: 华龙苑南里12号楼3单元 → 华龙苑南里****."""
    if not address:
        return ""
    match = _DIGIT.search(address)
    keep = address[: match.start()] if match else address[: max(len(address) // 2, 1)]
    return keep + "****"


MASKERS = {
    "caller_name": mask_name,
    "caller_phone": mask_phone,
    "caller_account": mask_account,
    "address": mask_address,
}


# What a reveal may show in full: the fields above and the free text that may hold numbers.
REVEALABLE = (*MASKERS, "title", "content", "reply", "notes")


def masked(field: str, value: str) -> str:
    return MASKERS[field](value or "")


# --- free text ------------------------------------------------------------------------


def is_id_card(number: str) -> bool:
    """An 18-character resident identity number whose check character is right (GB 11643)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def is_bank_card(digits: str) -> bool:
    """16 to 19 digits passing the Luhn check, as bank cards do."""
    if not 16 <= len(digits) <= 19 or not digits.isdigit():
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask_id_card(number: str) -> str:
    """110105194912310021 → 110105********0021 (place of registration and last four)."""
    return number[:6] + "*" * 8 + number[-4:]


def mask_bank_card(number: str) -> str:
    digits = "".join(_DIGIT.findall(number))
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _sub_checked(pattern, text, check, mask):
    def replace(match):
        value = match.group()
        return mask(value) if check(value) else value

    return pattern.sub(replace, text)


def mask_text(text: str, own: dict | None = None) -> str:
    """Free text with every phone, identity-card and bank-card number masked, and the
    case's own caller data (`own`: field → value) masked where the text repeats it."""
    if not text:
        return text or ""
    for field, value in (own or {}).items():
        # a one-character name would mask that character everywhere; an address without a
        # door number is a place (华龙苑南里东门), which the title may name
        if not value or len(value) < 2 or field not in MASKERS:
            continue
        if field == "address" and not _DIGIT.search(value):
            continue
        text = text.replace(value, MASKERS[field](value))
    if not any(ch.isdigit() for ch in text):
        return text
    text = _sub_checked(_ID_CARD, text, is_id_card, mask_id_card)
    text = _sub_checked(
        _BANK_CARD, text, lambda v: is_bank_card("".join(_DIGIT.findall(v))), mask_bank_card
    )
    text = _MOBILE.sub(lambda m: mask_phone(_COUNTRY.sub("", m.group())), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(1)) + (m.group(2) or ""), text)


def own_data(case) -> dict:
    """The caller's structured fields of a case, for masking them inside its free text."""
    return {field: getattr(case, field) or "" for field in MASKERS}


def mask_data(value, own: dict | None = None):
    """`mask_text` over every string inside a JSON-like value (a timeline payload)."""
    if isinstance(value, str):
        return mask_text(value, own)
    if isinstance(value, dict):
        return {
            k: (MASKERS[k](v) if k in MASKERS and isinstance(v, str) else mask_data(v, own))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_data(v, own) for v in value]
    return value
