"""Free-text search over case titles and contents, fast at a million cases.

Chinese has no spaces, so each case is indexed by the set of its character pairs
(bigrams) and latin/digit words: SQLite keeps them in an FTS5 table, PostgreSQL in a
GIN-indexed tsvector. A query finds candidates holding all the query's bigrams through
the index, then keeps those whose title or content really contains every word. Cases
newer than the index (the worker indexes every minute) are found by a plain scan of that
short tail, so results are always complete.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.expressions import RawSQL

from jiesu.cases.models import Case, CaseSearch, Platform
from jiesu.core import params

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
BATCH = 5000
# Cases committed out of id order are picked up if they are this close to the newest.
LATE_WINDOW = 1000


def tokens(text: str) -> list[str]:
    """Bigrams of each run of Chinese characters (a lone character stays), plus words."""
    out: list[str] = []
    for run in _TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if _IS_CJK.match(run) and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def document(title: str, content: str) -> str:
    """What the index stores for a case: its distinct tokens."""
    return " ".join(dict.fromkeys(tokens(f"{title} {content}")))


def indexed_up_to() -> int:
    return CaseSearch.objects.aggregate(top=Max("case_id"))["top"] or 0


def index_pending(batch: int = BATCH, progress=None) -> int:
    """Index cases that are not in the index yet; returns how many were added."""
    total = 0
    while True:
        start = max(indexed_up_to() - LATE_WINDOW, 0)
        pending = (
            Case.objects.filter(pk__gt=start)
            .exclude(Exists(CaseSearch.objects.filter(case_id=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", "title", "content")[:batch]
        )
        rows = [CaseSearch(case_id=pk, tokens=document(t, c)) for pk, t, c in pending]
        if not rows:
            return total
        CaseSearch.objects.bulk_create(rows, ignore_conflicts=True)
        total += len(rows)
        if progress:
            progress(total)


def _candidates(words: list[str], tail: int) -> RawSQL:
    """Ids worth checking: indexed cases holding every bigram of the query, cases newer
    than the index, and cases whose number is one of the words. A union of indexed
    lookups, so the database never scans every case."""
    terms = list(dict.fromkeys(t for w in words for t in tokens(w)))
    if connection.vendor == "postgresql":
        indexed = (
            "SELECT case_id FROM cases_casesearch"
            " WHERE to_tsvector('simple', tokens) @@ to_tsquery('simple', %s)"
        )
        match = " & ".join(terms)
    else:
        indexed = "SELECT rowid FROM cases_search_fts WHERE cases_search_fts MATCH %s"
        match = " AND ".join(f'"{t}"' for t in terms)
    numbers = ", ".join(["%s"] * len(words))
    platforms = ", ".join(["%s"] * len(Platform.values))
    sql = (
        f"{indexed} UNION ALL SELECT id FROM cases_case WHERE id > %s"
        f" UNION ALL SELECT id FROM cases_case WHERE platform IN ({platforms})"
        f" AND platform_no IN ({numbers})"
    )
    return RawSQL(sql, [match, tail, *Platform.values, *words])


def _contains_all(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(content__icontains=word)
    return condition


def matching(query: str) -> Q:
    """Cases whose title or content contains every word of the query, or whose case
    number is one of the words."""
    words = query.split()[: params.MAX_SEARCH_WORDS]  # the forms refuse more; never a huge query
    if not words:
        return Q()
    wanted = _contains_all(words) | Q(platform_no__in=words)
    # a word that is a single Chinese character or punctuation has no bigram to look up
    if any(not tokens(w) or (len(tokens(w)) == 1 and len(tokens(w)[0]) == 1) for w in words):
        return wanted
    return Q(pk__in=_candidates(words, indexed_up_to())) & wanted
