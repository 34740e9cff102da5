"""The one way a citizen's personal data leaves the database: masked, unless revealed."""

import re

_DIGIT = re.compile(r"\d")


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
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
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


def masked(field: str, value: str) -> str:
    return MASKERS[field](value or "")
