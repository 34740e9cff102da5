"""Enumerated columns (诉求类型, 紧急程度, 来源渠道, 是否解决 …): platforms, districts and
years write their own labels. A label is read as a standard value when it is one, else by the
street's synonyms (ValueSynonym), else by the built-in ones below; a label nobody listed still
imports (as 其他, or leaving the field alone) and is counted as a warning. The label as
written is kept on the case (`Case.source_labels`) whenever it is not exactly a standard
label, so a mapping saved later can be applied to the cases already imported."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from jiesu.cases.models import Channel, RequestType, Satisfaction, Solved, Urgency

YES_NO = [("yes", "是"), ("no", "否")]


@dataclass(frozen=True)
class Enumerated:
    name: str  # the case field
    label: str  # the column, as the page names it
    choices: list[tuple[str, str]]
    builtin: dict[str, str] = field(default_factory=dict)  # written label → value
    # The value an unknown label imports as; None leaves the field as it is (a new case gets
    # the field's default).
    fallback: str | None = None
    # Whether an unknown label may be read by the standard labels it contains (市民投诉 →
    # 投诉); never for callback results, where 不太满意 contains 满意.
    guesses: bool = False

    def standard(self, written: str) -> str | None:
        """The value when the text is exactly a standard label or value."""
        for value, label in self.choices:
            if written in (value, label):
                return value
        return None

    def standard_key(self, key: str) -> str | None:
        """The value when a normalised label is a standard one (紧急(2小时) in any width)."""
        for value, label in self.choices:
            if key in (value, normalise(label)):
                return value
        return None

    def known(self, key: str, synonyms: dict) -> str | None:
        """The value of a normalised label: standard, the street's synonym, or built-in."""
        return self.standard_key(key) or synonyms.get((self.name, key)) or self.builtin.get(key)

    def label_of(self, value: str | None) -> str:
        return dict(self.choices).get(value, "") if value else ""

    def to_case(self, value: str):
        """The case field's value for a standard value (yes/no columns are booleans)."""
        return value == "yes" if self.choices is YES_NO else value


def _yes_no(name: str, label: str, yes: tuple[str, ...], no: tuple[str, ...]) -> Enumerated:
    common_yes, common_no = ("1", "True", "true", "Y", "y", "对"), ("0", "False", "false", "N", "n")
    builtin = {w: "yes" for w in yes + common_yes} | {w: "no" for w in no + common_no}
    return Enumerated(name, label, YES_NO, builtin)


ENUMERATED: dict[str, Enumerated] = {
    e.name: e
    for e in (
        Enumerated(
            "request_type",
            "诉求类型",
            RequestType.choices,
            {
                "投诉举报": RequestType.COMPLAINT,
                "投诉类": RequestType.COMPLAINT,
                "举报类": RequestType.REPORT,
                "咨询类": RequestType.CONSULT,
                "政策咨询": RequestType.CONSULT,
                "求助类": RequestType.HELP,
                "求决": RequestType.HELP,
                "求决类": RequestType.HELP,
                "建议类": RequestType.SUGGESTION,
                "意见": RequestType.SUGGESTION,
                "意见建议": RequestType.SUGGESTION,
                "建言献策": RequestType.SUGGESTION,
                "感谢": RequestType.PRAISE,
                "表扬感谢": RequestType.PRAISE,
                "感谢表扬": RequestType.PRAISE,
                "其它": RequestType.OTHER,
            },
            fallback=RequestType.OTHER,
            guesses=True,
        ),
        Enumerated(
            "urgency",
            "紧急程度",
            Urgency.choices,
            {
                "紧急": Urgency.EMERGENCY,
                "特急": Urgency.EMERGENCY,
                "特别紧急": Urgency.EMERGENCY,
                "加急": Urgency.EMERGENCY,
                "2小时": Urgency.EMERGENCY,
                "水电气热": Urgency.UTILITY,
                "24小时": Urgency.UTILITY,
                "一般": Urgency.ORDINARY,
                "普通": Urgency.ORDINARY,
                "常规": Urgency.ORDINARY,
                "非紧急": Urgency.ORDINARY,
                "不紧急": Urgency.ORDINARY,
                "7天": Urgency.ORDINARY,
                "复杂": Urgency.COMPLEX,
                "疑难": Urgency.COMPLEX,
                "15天": Urgency.COMPLEX,
            },
            guesses=True,
        ),
        Enumerated(
            "channel",
            "来源渠道",
            Channel.choices,
            {
                "热线": Channel.PHONE,
                "12345": Channel.PHONE,
                "12345热线": Channel.PHONE,
                "来电": Channel.PHONE,
                "电话来电": Channel.PHONE,
                "网站": Channel.WEB,
                "网上": Channel.WEB,
                "网络来件": Channel.WEB,
                "12345网站": Channel.WEB,
                "微信": Channel.WEB,
                "小程序": Channel.WEB,
                "APP": Channel.WEB,
                "领导留言板": Channel.LEADER_BOARD,
                "人民网留言板": Channel.LEADER_BOARD,
                "首都之窗": Channel.GOV_WEBSITE,
                "舆情": Channel.OPINION,
                "96181": Channel.HOTLINE_96181,
                "手工": Channel.MANUAL,
                "人工录入": Channel.MANUAL,
            },
            guesses=True,
        ),
        Enumerated(
            "callback_solved",
            "是否解决",
            Solved.choices,
            {
                "已解决": Solved.SOLVED,
                "是": Solved.SOLVED,
                "基本解决": Solved.PARTLY,
                "没解决": Solved.UNSOLVED,
                "没有解决": Solved.UNSOLVED,
                "否": Solved.UNSOLVED,
            },
        ),
        Enumerated(
            "callback_satisfaction",
            "是否满意",
            Satisfaction.choices,
            {
                "非常满意": Satisfaction.SATISFIED,
                "很满意": Satisfaction.SATISFIED,
                "是": Satisfaction.SATISFIED,
                "比较满意": Satisfaction.BASIC,
                "很不满意": Satisfaction.UNSATISFIED,
                "非常不满意": Satisfaction.UNSATISFIED,
                "否": Satisfaction.UNSATISFIED,
                "未评": Satisfaction.UNRATED,
                "无评价": Satisfaction.UNRATED,
                "不评价": Satisfaction.UNRATED,
            },
        ),
        _yes_no("callback_valid", "是否有效回访", ("有效",), ("无效",)),
        _yes_no("callback_contacted", "是否联系", ("已联系", "联系"), ("未联系", "联系不上")),
    )
}


def normalise(written) -> str:
    """The form a label is compared and saved in: full-width folded, no whitespace."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(written or "")))


def guess(name: str, key: str) -> str | None:
    """The nearest known value of an unknown label: the one value whose labels it contains
    (市民投诉 → 投诉), longest words first; otherwise the field's fallback."""
    enum = ENUMERATED[name]
    if not enum.guesses:
        return enum.fallback
    words = [(normalise(label), value) for value, label in enum.choices]
    words += list(enum.builtin.items())
    found, text = set(), key
    for word, value in sorted(words, key=lambda w: -len(w[0])):
        if len(word) > 1 and word in text:
            found.add(value)
            text = text.replace(word, "·")
    return found.pop() if len(found) == 1 else enum.fallback


@dataclass(frozen=True)
class Reading:
    value: str | None  # the standard value, or None: leave the field alone
    known: bool  # a standard label or a synonym: no warning
    standard: bool  # exactly a standard label: nothing to keep as written


class Reader:
    """Reads enumerated labels for one street; the street's synonyms win over the built-in."""

    def __init__(self, street):
        from jiesu.intake.models import ValueSynonym

        self.synonyms = {
            (s.field, s.label): s.value for s in ValueSynonym.objects.filter(street=street)
        }

    def read(self, name: str, written: str) -> Reading:
        enum = ENUMERATED[name]
        value = enum.standard(written)
        if value is not None:
            return Reading(value, True, True)
        key = normalise(written)
        value = enum.known(key, self.synonyms)
        if value is not None:
            return Reading(value, True, False)
        return Reading(guess(name, key), False, False)


class Labelled:
    """The cases (a street's, as its desk reaches them) that carry labels as written,
    counted in one query grouped by the labels and the values the cases hold: the distinct
    combinations are few."""

    def __init__(self, cases):
        rows = (
            cases.exclude(source_labels={})
            .values("source_labels", *ENUMERATED)
            .annotate(n=Count("pk"))
            .order_by()
        )
        self.groups = [(row.pop("source_labels") or {}, row.pop("n"), row) for row in rows]

    def counts(self) -> dict[str, Counter]:
        """How many cases carry each label as written, by field."""
        counts: dict[str, Counter] = {name: Counter() for name in ENUMERATED}
        for written, n, _ in self.groups:
            for name, label in written.items():
                if name in counts:
                    counts[name][label] += n
        return counts

    def pending(self, synonym) -> int:
        """The cases that carry the synonym's label, in any spelling, and another value."""
        enum = ENUMERATED[synonym.field]
        value = enum.to_case(synonym.value)
        return sum(
            n
            for written, n, values in self.groups
            if synonym.field in written
            and normalise(written[synonym.field]) == synonym.label
            and values[synonym.field] != value
        )


@dataclass
class Unmapped:
    name: str
    field_label: str
    label: str  # normalised, as a synonym would be saved
    count: int
    value_label: str  # what it imports as meanwhile; empty: it is left out

    @property
    def options(self) -> list[tuple[str, str, bool]]:
        """(target, standard label, preselected) for the form that maps it."""
        chosen = guess(self.name, self.label)
        enum = ENUMERATED[self.name]
        return [(f"{self.name}:{v}", label, v == chosen) for v, label in enum.choices]


def unmapped(counts: dict[str, dict[str, int]], reader: Reader) -> list[Unmapped]:
    """The labels among `counts` ({field: {written: n}}) that nobody mapped yet, most
    frequent first; variants that differ only in spaces or width count as one."""
    found: dict[tuple[str, str], int] = Counter()
    for name, labels in counts.items():
        if name not in ENUMERATED:
            continue
        for written, n in labels.items():
            if not reader.read(name, written).known:
                found[(name, normalise(written))] += n
    return [
        Unmapped(
            name,
            ENUMERATED[name].label,
            label,
            n,
            ENUMERATED[name].label_of(guess(name, label)),
        )
        for (name, label), n in sorted(found.items(), key=lambda item: (-item[1], item[0]))
    ]
