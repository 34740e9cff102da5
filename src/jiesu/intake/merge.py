"""Merging a 待确认 category or community (created by an import) into a confirmed one."""

from django.db import transaction

from jiesu.cases import workflow
from jiesu.cases.errors import InvalidInput
from jiesu.cases.models import Case


def merge(unconfirmed: list, into, *, field: str) -> int:
    """Move every case of the unconfirmed categories (field="category") or communities
    (field="community") to `into`, on each case's timeline, then delete them. Returns the
    number of cases moved."""
    if getattr(into, "unconfirmed", False):
        raise InvalidInput("请选择一个已确认的目标。")
    moved = 0
    with transaction.atomic():
        for item in unconfirmed:
            if not item.unconfirmed or item.pk == into.pk:
                raise InvalidInput(f"“{item}”不是待确认的,不能并入。")
            if item.children.exists():
                raise InvalidInput(f"“{item}”还有下级,请先合并下级。")
            for case in Case.objects.filter(**{field: item}).select_related(
                "district", "street", "lead_unit", "category", "community"
            ):
                workflow.platform_update(case, by=None, changes={field: into})
                moved += 1
            item.delete()
    return moved
