"""Possible duplicates across platforms: the same caller with a similar request within 7
days. Only shown to the operator, who decides; jiesu never merges cases by itself."""

import datetime as dt

from jiesu.cases.models import Case
from jiesu.cases.search import tokens
from jiesu.core.scoping import reach_of

WINDOW = dt.timedelta(days=7)
SIMILAR = 0.3


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams."""
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / len(x | y) if x and y else 0.0


def same_caller(reach, *, platform, caller_phone, received_at):
    """The cases the user (a Reach, or a user) sees from the other platform with this caller
    phone within 7 days."""
    if not (platform and caller_phone and received_at):
        return Case.objects.none()
    return (
        reach_of(reach)
        .cases()
        .exclude(platform=platform)
        .filter(
            caller_phone=caller_phone,
            received_at__range=(received_at - WINDOW, received_at + WINDOW),
        )
        .order_by("-received_at")
    )


def possible_duplicates(reach, case, *, limit: int = 5) -> list[tuple[Case, float]]:
    """Cases from the other platform with the same caller within 7 days and similar text,
    most similar first."""
    others = same_caller(
        reach, platform=case.platform, caller_phone=case.caller_phone, received_at=case.received_at
    ).exclude(pk=case.pk)[:50]
    text = f"{case.title} {case.content}"
    scored = [(other, similarity(text, f"{other.title} {other.content}")) for other in others]
    return sorted([s for s in scored if s[1] >= SIMILAR], key=lambda s: -s[1])[:limit]
