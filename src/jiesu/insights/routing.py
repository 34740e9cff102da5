"""Dispatch suggestions: the routing-rule table first, then where similar cases went."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from jiesu.cases.labels import category_label
from jiesu.cases.models import Case, Category
from jiesu.core.scoping import unscoped
from jiesu.knowledge.models import RoutingRule

HISTORY_DAYS = 365


@dataclass(frozen=True)
class Suggestion:
    unit_id: int
    unit_name: str
    reason: str
    score: float


def _ancestors(category: Category) -> list[int]:
    """The category and its parents, nearest first."""
    return [int(pk) for pk in reversed(category.path.strip("/").split("/"))]


def suggest(case, *, limit: int = 3) -> list[Suggestion]:
    """Ranked units for dispatching `case`; the operator always decides."""
    found: dict[int, Suggestion] = {}

    def add(unit_id, name, reason, score):
        if unit_id not in found or found[unit_id].score < score:
            found[unit_id] = Suggestion(unit_id, name, reason, score)

    if case.category_id:
        chain = _ancestors(case.category)
        home = case.street or case.district
        rules = unscoped(
            RoutingRule.objects.filter(
                category_id__in=chain, unit__path__startswith=home.path
            ).select_related("unit", "category"),
            why="a suggestion applies the rules for the category kept for the case's street, "
            "whoever reads it; a unit outside the street could not be dispatched to anyway",
        )
        for rule in rules:
            if rule.community_id not in (None, case.community_id) or not rule.unit.active:
                continue
            depth = chain.index(rule.category_id)
            score = 100 - depth * 10 + (5 if rule.community_id else 0)
            add(rule.unit_id, rule.unit.name, f"派单规则:{category_label(rule.category)}", score)

    since = case.received_at - dt.timedelta(days=HISTORY_DAYS)
    similar = unscoped(
        Case.objects.filter(received_at__gte=since, street_id=case.street_id).exclude(pk=case.pk),
        why="a suggestion counts where the street's similar cases went, whoever may see them; "
        "only unit names and counts leave this function",
    )
    for field, label, weight in [("community_id", "同社区同类", 60), (None, "同类", 40)]:
        if not case.category_id:
            break
        scope = similar.filter(category_id=case.category_id)
        if field:
            scope = scope.filter(community_id=case.community_id)
        history = (
            scope.filter(lead_unit__isnull=False, lead_unit__active=True)
            .values("lead_unit_id", "lead_unit__name")
            .annotate(n=Count("id"))
            .order_by("-n")[:limit]
        )
        total = sum(row["n"] for row in history) or 1
        for row in history:
            add(
                row["lead_unit_id"],
                row["lead_unit__name"],
                f"历史{label}工单 {row['n']} 件由该单位主办",
                weight * row["n"] / total + 10,
            )
    return sorted(found.values(), key=lambda s: -s.score)[:limit]
