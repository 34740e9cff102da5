"""Possible duplicates across platforms: the same caller with a similar request within 7
days. Only shown to the operator, who decides; jiesu never merges cases by itself."""

import datetime as dt

from jiesu.cases.models import Case
from jiesu.cases.search import tokens

WINDOW = dt.timedelta(days=7)
SIMILAR = 0.3


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams."""
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / len(x | y) if x and y else 0.0


def possible_duplicates(user, case, *, limit: int = 5) -> list[tuple[Case, float]]:
    """Visible cases from the other platform with the same caller phone within 7 days and
    similar text, most similar first."""
    if not case.caller_phone:
        return []
    others = (
        Case.objects.visible_to(user)
        .filter(
            caller_phone=case.caller_phone,
            received_at__gte=case.received_at - WINDOW,
            received_at__lte=case.received_at + WINDOW,
        )
        .exclude(platform=case.platform)
        .exclude(pk=case.pk)[:50]
    )
    text = f"{case.title} {case.content}"
    scored = [(other, similarity(text, f"{other.title} {other.content}")) for other in others]
    return sorted([s for s in scored if s[1] >= SIMILAR], key=lambda s: -s[1])[:limit]
