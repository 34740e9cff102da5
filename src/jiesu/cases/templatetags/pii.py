"""`{{ case|masked:"title" }}`: a case's free text or personal field, masked, in any page."""

from django import template

from jiesu.core.masking import MASKERS, mask_text, masked, own_data

register = template.Library()


@register.filter(name="masked")
def masked_field(case, field: str) -> str:
    if case is None:
        return ""
    if field in MASKERS:
        return masked(field, getattr(case, field))
    return mask_text(getattr(case, field), own_data(case))
