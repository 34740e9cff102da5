"""The search box: what the desk types to find a case, fast at a million cases.

Every word of a query must match (words are separated by spaces); a word matches a case by
any of these, each found through an index:

- **text**: the title or content contains it. Chinese has no spaces, so each case is indexed
  by the set of its character pairs (bigrams) and latin/digit words: SQLite keeps them in an
  FTS5 table, PostgreSQL in a GIN-indexed tsvector. Candidates hold every bigram of the word;
  the title or content must then really contain it (unless the word is its one index term).
  Cases newer than the index (the worker indexes every minute) are found by a plain scan of
  that short tail.
- **case number**: 4 to 40 letters, digits or hyphens, at least one a digit, that occur in
  the 工单编号 (the last six digits, a middle part, the whole number). The number's character
  trigrams are indexed: on SQLite an FTS5 table with the trigram tokenizer, filled by a
  trigger as the text index takes the case in (a phrase query there is an exact substring
  match); on PostgreSQL a GIN index over `cases_number_grams(platform_no)`, the array of the
  number's trigrams, always current (candidates hold every trigram; the number must then
  really contain the word).
- **category**: a word of a category's name or full path (城乡建设->市容环卫->占道经营).
- **tag**: a word of a tag's name.
- **the caller's phone**, for the roles that may reveal it on that case (组长, 坐席员 and the
  handling units, as `services.may_reveal` decides): a whole number finds the cases whose
  caller has it, four digits the cases whose caller's number ends with them. A phone number
  is never put into SQL: each case stores a keyed digest (HMAC-SHA256) of its caller's number
  and the number's last four digits, and the search looks up the digest. A word that is a
  phone number (as core.masking reads numbers: a mobile, or a landline with its area code
  or of 8 digits) is only ever matched this way, for every role: a role that may not see
  phones finds nothing with it, and the number is in no query, no log. (Eight digits that
  are a day, 20261130, are also looked for in case numbers, where the day is.)

The phone key is a random value (256 bits; 244 on PostgreSQL) that the database draws itself
(cases.PhoneSearchKey, made by migration 0012): so it is in no SQL text either, every server
of the office shares it, and a backup carries it with the digests it made, so a restored
database still finds phones.
Anyone who can read that table can read the plain numbers beside it anyway; the digest keeps
numbers out of SQL statements and their logs.
"""

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.expressions import RawSQL

from jiesu.cases.models import Case, CaseSearch, Category, PhoneSearchKey, Tag
from jiesu.core import params
from jiesu.core.scoping import reach_of, unscoped
from jiesu.org.models import PII_ROLES

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
BATCH = 5000
# Cases committed out of id order are picked up if they are this close to the newest.
LATE_WINDOW = 1000
# Up to this many cases a list is drawn from the matches, not from an index in list order.
FEW = 5000
# A word this long made of letters, digits and hyphens is also looked for in case numbers.
NUMBER_PART = re.compile(r"[0-9a-z-]{4,40}")


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


# --- phones ------------------------------------------------------------------------

_COUNTRY = re.compile(r"^(?:00)?86(?=1[3-9][0-9]{9}$)")
# A query word that is a phone number, as core.masking reads numbers: a mobile (with the
# country code or not), a landline with its area code, or a bare 8-digit local number; with
# hyphens where people write them, an extension after a hyphen.
_PHONE_WORD = re.compile(
    r"(?:(?:\+|00)?86-?)?1[3-9][0-9]-?[0-9]{4}-?[0-9]{4}"
    r"|(?:\(0[0-9]{2,3}\)|0[0-9]{2,3}-?)?[2-9][0-9]{6,7}(?:-[0-9]{1,5})?"
)
_BARE_SEVEN = re.compile(r"[2-9][0-9]{6}(?:-[0-9]{1,5})?")  # not a phone without its area code
_DATE = re.compile(r"20[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")
# A number typed with spaces (138 1234 5678, +86 138 1234 5678, 010 6234 5678) is one word.
_SPACED_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86 )?1[3-9][0-9] ?[0-9]{4} [0-9]{4}(?![0-9])"
    r"|(?<![0-9])(?:(?:\+|00)?86 )?1[3-9][0-9] [0-9]{4} ?[0-9]{4}(?![0-9])"
    r"|(?<![0-9])0[0-9]{2,3} [2-9][0-9]{2,3} ?[0-9]{4}(?![0-9])"
)
# Several numbers in one field: the first one is the caller's.
_NUMBER_LIST = re.compile(r"[,,;;/、]")
_keys: dict[tuple, bytes] = {}


def phone_digits(phone: str) -> str:
    """The caller's number as the search compares it: its digits (full-width ones too), the
    separators (spaces, hyphens, parentheses) and the country code 86/+86/0086 dropped.
    The first number when the field holds several."""
    text = unicodedata.normalize("NFKC", phone or "")
    first = next((p for p in _NUMBER_LIST.split(text) if any(c.isdigit() for c in p)), "")
    return _COUNTRY.sub("", "".join(c for c in first if "0" <= c <= "9"))


def is_phone(word: str) -> bool:
    """A query word that is a phone number (see _PHONE_WORD)."""
    text = unicodedata.normalize("NFKC", word).strip()
    return bool(_PHONE_WORD.fullmatch(text)) and not _BARE_SEVEN.fullmatch(text)


def _phone_key() -> bytes:
    """The database's phone key (made by migration cases/0012, or here when a test emptied
    the table), read once per process and database."""
    name = (connection.vendor, str(connection.settings_dict["NAME"]))
    key = _keys.get(name)
    if key is None:
        row = PhoneSearchKey.objects.filter(pk=1).values_list("key", flat=True).first()
        if row is None:
            with connection.cursor() as cursor:
                cursor.execute(new_key_sql(connection.vendor))
            row = PhoneSearchKey.objects.get(pk=1).key
        key = _keys[name] = row.encode("ascii")
    return key


def new_key_sql(vendor: str) -> str:
    """The statement that makes the key row: 256 random bits (SQLite) or two random UUIDs,
    244 bits (PostgreSQL, gen_random_uuid), drawn by the database: no key is in SQL text."""
    if vendor == "postgresql":
        return (
            "INSERT INTO cases_phonesearchkey (id, key) VALUES "
            "(1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')) "
            "ON CONFLICT (id) DO NOTHING"
        )
    return (
        "INSERT OR IGNORE INTO cases_phonesearchkey (id, key) "
        "VALUES (1, lower(hex(randomblob(32))))"
    )


def phone_keys(phone: str) -> tuple[str, str]:
    """(digest, last four digits) of a caller's number; empty for no number."""
    digits = phone_digits(phone)
    if not digits:
        return "", ""
    digest = hmac.new(_phone_key(), digits.encode("ascii"), hashlib.sha256).hexdigest()
    return digest, digits[-4:] if len(digits) >= 4 else ""


def phone_fields(changes: dict) -> dict:
    """The search fields that follow a change of `caller_phone` (none when it is unchanged),
    for writes that do not go through Case.save (platform updates)."""
    if "caller_phone" not in changes:
        return {}
    digest, tail = phone_keys(changes["caller_phone"])
    return {"caller_phone_digest": digest, "caller_phone_tail": tail}


def may_search_phones(reach) -> bool:
    """Whether the user (a Reach, or a user; None: nobody) holds a role that may see phones."""
    return reach is not None and bool(reach_of(reach).roles & PII_ROLES)


def _phone_matches(reach, **lookup) -> list[int]:
    """Ids of the cases with this phone digest or tail whose phone the user may reveal."""
    from jiesu.cases.services import may_reveal  # services reaches the workflow

    if not may_search_phones(reach):
        return []
    cases = unscoped(
        Case.objects.filter(**lookup)
        .order_by()
        .select_related("district", "street", "lead_unit")
        .prefetch_related("co_units")
        .only("district__path", "street__path", "lead_unit__path"),
        why="the phone's own index, not the user's scope (without statistics SQLite would "
        "scan the street's cases for it): may_reveal then decides on each of these few cases",
    )
    return [case.pk for case in cases if may_reveal(reach, case)]


# --- the query ---------------------------------------------------------------------


def _text_sql(terms: list[str]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return (
            "SELECT case_id FROM cases_casesearch"
            " WHERE to_tsvector('simple', tokens) @@ to_tsquery('simple', %s)",
            [" & ".join(terms)],
        )
    return (
        "SELECT rowid FROM cases_search_fts WHERE cases_search_fts MATCH %s",
        [" AND ".join(f'"{t}"' for t in terms)],
    )


def number_grams(text: str) -> list[str]:
    text = text.lower()
    return sorted({text[i : i + 3] for i in range(len(text) - 2)})


def _number_sql(part: str) -> tuple[str, list]:
    """Cases whose number contains `part` (letters, digits, hyphens: no LIKE wildcards)."""
    if connection.vendor == "postgresql":
        return (
            "SELECT id FROM cases_case WHERE cases_number_grams(platform_no) @> %s::text[]"
            " AND lower(platform_no) LIKE %s",
            [number_grams(part), f"%{part}%"],
        )
    # a trigram phrase: the number contains `part` exactly
    return "SELECT rowid FROM cases_number_fts WHERE cases_number_fts MATCH %s", [f'"{part}"']


def _in(column: str, ids: list[int]) -> str:
    return f"{column} IN ({', '.join(str(int(i)) for i in ids)})"


def _subquery(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


@dataclass
class _Word:
    """How one query word is looked up."""

    word: str
    in_text: Q  # the title or content contains it
    terms: list[str]  # its index terms; none: a lone Chinese character or punctuation
    exact: list[tuple[str, list]]  # SQL of ids it finds by number, category, tag or phone
    exact_in_index: bool  # its one term is the word itself: a text match in the index is exact
    phone_only: Q | None = None  # a phone number: found by its digest, nothing else


def _plan(word: str, reach, tail: int) -> _Word:
    phone = is_phone(word)
    folded = unicodedata.normalize("NFKC", word).lower()
    in_text = Q(title__icontains=word) | Q(content__icontains=word)
    terms = list(dict.fromkeys(tokens(word)))
    if not terms or (len(terms) == 1 and len(terms[0]) == 1):
        terms = []  # no bigram to look up: scanned for
    plan = _Word(word, in_text, terms, [], exact_in_index=terms == [folded])
    # 20261130 could be a local landline, but in a case number it is the day: look for both
    if phone and not _DATE.fullmatch(word):
        ids = _phone_matches(reach, caller_phone_digest=phone_keys(word)[0])
        plan.phone_only = Q(pk__in=ids)
        return plan
    callers = []
    if phone:
        callers = _phone_matches(reach, caller_phone_digest=phone_keys(word)[0])
    elif re.fullmatch(r"[0-9]{4}", folded):
        callers = _phone_matches(reach, caller_phone_tail=folded)
    if callers:
        plan.exact.append((f"SELECT id FROM cases_case WHERE {_in('id', callers)}", []))
    if NUMBER_PART.fullmatch(folded) and any(c.isdigit() for c in folded):
        plan.exact.append(_number_sql(folded))
        # cases newer than the text index may not be in the SQLite number index yet
        newer = Case.objects.filter(pk__gt=tail, platform_no__icontains=folded)
        plan.exact.append(_subquery(newer))
    categories = Category.objects.filter(full_name__icontains=word).values_list("pk", flat=True)
    if categories := list(categories):
        plan.exact.append((f"SELECT id FROM cases_case WHERE {_in('category_id', categories)}", []))
    tags = list(Tag.objects.filter(name__icontains=word).values_list("pk", flat=True))
    if tags:
        plan.exact.append((f"SELECT case_id FROM cases_case_tags WHERE {_in('tag_id', tags)}", []))
    return plan


def _union(sources: list[tuple[str, list]]) -> tuple[str, list]:
    return " UNION ALL ".join(sql for sql, _ in sources), [v for _, vs in sources for v in vs]


def _few(sql: str, values: list) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS found LIMIT {FEW + 1}", values)
        return len(cursor.fetchall()) <= FEW


@dataclass
class Found:
    """What a query finds. `few`: at most FEW cases (by one of its words); a list should then
    be drawn from them (cases.filters.CaseFilter) rather than by walking an index in the list's
    order and testing each case, which without statistics SQLite prefers even for five."""

    condition: Q
    few: bool


def find(query: str, user=None) -> Found:
    """Cases every word of the query finds (see the module's doc). Phone numbers find cases
    only for a `user` (or a Reach) who may reveal them; without one, never.

    Each word gives a set of ids from indexed lookups, and the sets are intersected before
    any case row is read. Words found by their text alone share one set, from one index
    lookup holding all their terms (the text must hold them all); their title and content
    are checked last, on the cases the intersection let through. A word also found another
    way gives a union of exact lookups, whose text part holds the text-only words' terms
    too. Cheap lookups come first, so that telling whether a set is small stops early."""
    query = _SPACED_PHONE.sub(lambda m: m.group().replace(" ", ""), query or "")
    words = query.split()[: params.MAX_SEARCH_WORDS]  # the forms refuse more; never a huge query
    if not words:
        return Found(Q(), False)
    tail = indexed_up_to()
    reach = reach_of(user) if user is not None else None
    plans = [_plan(word, reach, tail) for word in words]
    condition, few = Q(), False
    for plan in plans:
        if plan.phone_only is not None:
            condition &= plan.phone_only
            few = True
    plans = [p for p in plans if p.phone_only is None]
    text_only = [p for p in plans if not p.exact]
    shared = list(dict.fromkeys(t for p in text_only for t in p.terms))
    sets = []  # (sql, values) of id sets, each a superset of the matches
    if shared:
        sets.append(
            _union([_text_sql(shared), ("SELECT id FROM cases_case WHERE id > %s", [tail])])
        )
    for plan in text_only:
        condition &= plan.in_text
    for plan in plans:
        if not plan.exact:
            continue
        sources = list(plan.exact)
        if plan.terms:
            indexed = _text_sql(list(dict.fromkeys(plan.terms + shared)))
            if plan.exact_in_index:
                sources.append(indexed)
            else:
                candidates = RawSQL(*indexed)
                sources.append(_subquery(Case.objects.filter(plan.in_text, pk__in=candidates)))
            sources.append(_subquery(Case.objects.filter(plan.in_text, pk__gt=tail)))
            sets.append(_union(sources))
        else:  # the text is scanned for
            condition &= Q(pk__in=RawSQL(*_union(sources))) | plan.in_text
    if sets:
        few = few or any(_few(*found) for found in sets)
        sql = " INTERSECT ".join(f"SELECT * FROM ({s}) AS s{i}" for i, (s, _) in enumerate(sets))
        condition &= Q(pk__in=RawSQL(sql, [v for _, values in sets for v in values]))
    return Found(condition, few)


def matching(query: str, user=None) -> Q:
    """The condition of `find`."""
    return find(query, user).condition


def _contains_all(words: list[str]) -> Q:
    """Title or content contains every word: the plain scan (the benchmarks' baseline)."""
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(content__icontains=word)
    return condition
