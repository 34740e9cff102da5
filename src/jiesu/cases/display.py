"""A case's personal data as it may be shown or exported: always masked. Read by the pages
(presenters) and by what leaves the system (reports.exports)."""

from jiesu.core.masking import MASKERS, mask_data, mask_text, masked, own_data


def masked_pii(case, *, content: bool = True) -> dict:
    """The caller's fields masked, and the title and content with any phone, identity-card
    or bank-card number (and the caller's own data) masked inside them. Lists, which show
    no content, pass content=False."""
    own = own_data(case)
    out = {name: masked(name, own[name]) for name in MASKERS}
    out["title"] = mask_text(case.title, own)
    out["location"] = mask_text(case.location, own)
    out["company_name"] = mask_text(case.company_name, own)
    if content:
        out["content"] = mask_text(case.content, own)
    return out


def masked_reply(case) -> dict:
    return mask_data(dict(case.reply or {}), own_data(case))
