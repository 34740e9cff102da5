"""值映射: the 组长 maps a label of an enumerated column to a standard value; the cases
already imported with that label change through the workflow (平台数据更新, on each
case's timeline; a new 紧急程度 moves the due time)."""

from django.db.models.fields.json import KT

from jiesu.cases.errors import WorkflowError
from jiesu.cases.models import Case
from jiesu.core.scoping import unscoped
from jiesu.intake import labels
from jiesu.intake.importer import update_case
from jiesu.intake.models import ValueSynonym

# Cases one request changes (a few seconds); the page offers the rest to the next click.
BATCH = 1000
CHUNK = 200


def save(*, street, field: str, label: str, value: str, by):
    """Saves the mapping and applies it; returns it with apply's counts."""
    synonym = ValueSynonym.objects.create(
        street=street, field=field, label=labels.normalise(label), value=value, created_by=by
    )
    return synonym, *apply(synonym, by=by)


def apply(synonym: ValueSynonym, *, by) -> tuple[int, int, int]:
    """Gives the synonym's value to up to BATCH of the street's cases that carry its label
    as written in any spelling (spaces, full width) and hold another value. Returns the
    cases updated, those that could not be (changed by someone at the same moment) and
    those still to do."""
    name = synonym.field
    mine = unscoped(
        Case.objects.filter(street=synonym.street),
        why="a value mapping holds for its whole street; the workflow checks each update",
    )
    spellings = {
        written
        for written in mine.filter(source_labels__has_key=name)
        .values_list(KT(f"source_labels__{name}"), flat=True)
        .order_by()
        .distinct()
        if labels.normalise(written) == synonym.label
    }
    if not spellings:
        return 0, 0, 0
    value = labels.ENUMERATED[name].to_case(synonym.value)
    todo = mine.filter(**{f"source_labels__{name}__in": sorted(spellings)}).exclude(**{name: value})
    total = todo.count()
    pks = list(todo.order_by("pk").values_list("pk", flat=True)[:BATCH])
    updated = failed = 0
    for start in range(0, len(pks), CHUNK):
        chunk = Case.objects.filter(pk__in=pks[start : start + CHUNK]).select_related(
            "district", "street", "lead_unit", "category", "community"
        )
        for case in chunk:
            try:
                update_case(case, {name: value}, by=by)
                updated += 1
            except WorkflowError:
                failed += 1
    return updated, failed, total - updated
