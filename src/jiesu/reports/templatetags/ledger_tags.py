"""`may_reveal`: whether the list's 导出台账 offers 含个人信息 to this reader."""

from django import template

from jiesu.org.models import PII_ROLES

register = template.Library()


@register.filter
def may_reveal(reach) -> bool:
    return bool(reach is not None and reach.roles & PII_ROLES)
