"""Report page filters: `may_reveal` (whether the list's 导出台账 offers 含个人信息 to this
reader) and `get_item` (a label by a variable key)."""

from django import template

from jiesu.org.models import PII_ROLES

register = template.Library()


@register.filter
def may_reveal(reach) -> bool:
    return bool(reach is not None and reach.roles & PII_ROLES)


@register.filter
def get_item(mapping, key):
    """A dict's value by a variable key (a report's kind or format label)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
