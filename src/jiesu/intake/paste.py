"""Paste-to-case (粘贴录入): read the labelled fields of a case copied from a 12345 page.

`parse(text)` is pure (no database). It finds known labels in whatever layout the copy
has (label:value lists, tab tables, header rows over value rows, label and value on
alternating lines, 【】 labels, labels with spaces inside) and turns each value into a
case field value. Whatever it cannot read or has to choose between becomes a warning.
"""

import re
from dataclasses import dataclass, field

from jiesu.cases.models import Channel, RequestType, Urgency
from jiesu.intake import values

# Field → its labels, best first: when several labels of a field are present, the
# first one listed wins (来电时间 over 派单时间, 详细地址 over 小区点位).
ALIASES: dict[str, tuple[str, ...]] = {
    "platform_no": ("工单编号", "工单号", "编号"),
    "received_at": ("来电时间", "受理时间", "创建时间", "派单时间"),
    "caller_name": ("来电人", "来电人姓名", "诉求人", "诉求人姓名", "反映人", "联系人", "姓名"),
    "caller_phone": (
        "来电人电话",
        "联系电话",
        "来电号码",
        "电话",
        "手机",
        "手机号码",
        "联系方式",
    ),
    "request_type": ("诉求类型", "工单类型", "类型"),
    "category": ("问题分类", "事项分类", "分类"),
    "category_1": ("一级分类",),
    "category_2": ("二级分类",),
    "category_3": ("三级分类",),
    "address": ("详细地址", "地址", "问题地址", "事发地址", "小区点位", "问题点位"),
    "title": ("标题", "诉求标题"),
    "content": ("诉求内容", "主要内容", "来电内容", "问题描述", "反映内容"),
    "limit": ("办理时限", "截止时间", "处理时限"),
    "district_name": ("被反映区",),
    "street_name": ("被反映街乡镇", "街乡镇", "街道", "街乡"),
    "community_name": ("村/社区", "社区"),
    "urgency": ("紧急程度",),
    "channel": ("渠道", "来源"),
    "company_name": ("企业名称",),
}
# Labels the platforms show that a new case does not take; recognised so that they end
# the value before them, and kept in `raw`.
IGNORED = (
    "工单状态",
    "标签",
    "主办单位",
    "二级承办单位",
    "承办单位",
    "工单性质",
    "处理受理方式",
    "办结时间",
    "是否有效回访",
    "是否联系",
    "是否解决",
    "是否满意",
    "来电人账号",
    "性别",
    "是否保密",
    "是否公开",
    "是否回复",
    "回复方式",
    "协办单位",
    "受理人",
    "办理结果",
    "回复内容",
    "派单意见",
    "派单说明",
    "备注",
)
# Values that may run over several lines, up to the next label.
MULTILINE = {"content", "办理结果", "回复内容", "派单意见", "派单说明", "备注"}
# What a case cannot be saved without: said when the text has none of it.
REQUIRED = {
    "platform_no": "工单编号",
    "received_at": "来电时间",
    "request_type": "诉求类型",
    "content": "诉求内容",
}
# Buttons and page furniture that come along when a whole page is copied.
PAGE_WORDS = frozenset(
    [
        "打印",
        "关闭",
        "返回",
        "保存",
        "确定",
        "取消",
        "导出",
        "刷新",
        "上一条",
        "下一条",
        "工单详情",
        "查看详情",
        "展开",
        "收起",
    ]
)

_FIELD_OF: dict[str, str | None] = {a: f for f, labels in ALIASES.items() for a in labels}
_FIELD_OF.update(dict.fromkeys(IGNORED))
_SPACE = r"[ \u3000\xa0]"


def _label_pattern(label: str) -> str:
    # 工 单 编 号: a label copied from a table laid out with spaces between characters
    return f"{_SPACE}{{0,3}}".join(re.escape(c) for c in label)


_ANY_LABEL = "|".join(_label_pattern(a) for a in sorted(_FIELD_OF, key=len, reverse=True))
_LABEL_RE = re.compile(
    rf"[【\[]\s*(?P<bracketed>{_ANY_LABEL})\s*[】\]]{_SPACE}*[:：]?"
    rf"|(?:^|(?<=[\s;；|]))(?P<colon>{_ANY_LABEL}){_SPACE}*[:：]"
    rf"|(?:^|(?<=[\t|])|(?<={_SPACE}{{2}}))(?P<bare>{_ANY_LABEL})(?=\s|\||$)"
)


_UNKNOWN_FIELD_RE = re.compile(r"[\u4e00-\u9fff]{2,6}\s*[:：]|【[\u4e00-\u9fff]{2,6}】")


@dataclass
class Parsed:
    """What `parse` found: case field values, each label's raw text, what it left."""

    fields: dict = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Label:
    name: str  # the label without the spaces inside it
    bare: bool  # no colon or brackets: may also be a value (渠道 → 电话)
    value: str  # what follows it on the same line

    @property
    def field(self) -> str | None:
        return _FIELD_OF[self.name]

    @property
    def multiline(self) -> bool:
        return self.field in MULTILINE or self.name in MULTILINE


@dataclass
class _Candidate:
    rank: int
    order: int
    label: str
    text: str
    values: dict
    warnings: list[str]


def parse(text: str) -> Parsed:
    """Read the labelled fields of a pasted case text."""
    reader = _Reader()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        items = _split_line(lines[i])
        if _is_header_row(items):
            i = reader.header_row(items, lines, i)
            continue
        reader.line(items)
        i += 1
    return reader.result()


def _split_line(line: str) -> list:
    """The line as [prefix text?, label, label, …]; each label carries the text after it."""
    line = line.strip()
    matches = list(_LABEL_RE.finditer(line))
    if not matches:
        return [line] if line else []
    items: list = []
    prefix = _trim(line[: matches[0].start()])
    if prefix:
        items.append(prefix)
    for m, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(line)
        name = re.sub(r"\s", "", m.group("bracketed") or m.group("colon") or m.group("bare"))
        label = _Label(name, bare=m.group("bare") is not None, value=_trim(line[m.end() : end]))
        previous = items[-1] if items else None
        if isinstance(previous, _Label) and not previous.value and _is_value_of(previous, name):
            previous.value = _trim(f"{name} {label.value}")
            continue
        items.append(label)
    return items


def _trim(text: str) -> str:
    return text.strip().strip("|;；").strip()


def _is_value_of(label: _Label, text: str) -> bool:
    """A bare label that is really the value of the label before it (渠道 → 电话)."""
    if label.field not in _ENUMS:
        return False
    values, warnings = _READERS[label.field](text, label.name)
    return bool(values) and not warnings


def _is_header_row(items: list) -> bool:
    """工单编号⇥来电时间⇥来电人 over a row of values, as a copied table gives it."""
    labels = [x for x in items if isinstance(x, _Label)]
    return (
        len(labels) >= 2
        and len(labels) == len(items)
        and all(x.bare and not x.value for x in labels)
    )


def _cells(row: str, count: int) -> list[str] | None:
    """The row's cells when there are `count` of them: tab-separated (empty cells kept,
    stray tabs at the ends dropped) or separated by runs of spaces."""
    if not row.strip():
        return None
    if "\t" in row:
        cells = row.split("\t")
        if len(cells) != count:
            cells = row.strip(" \u3000\xa0").strip("\t").split("\t")
    else:
        cells = re.split(f"{_SPACE}{{2,}}", row.strip())
    return cells if len(cells) == count else None


class _Reader:
    def __init__(self):
        self.parsed = Parsed()
        self.label: _Label | None = None  # the label whose value is being read
        self.parts: list[str] = []
        self.candidates: dict[str, list[_Candidate]] = {}

    def line(self, items: list) -> None:
        if not items:
            if self.label and self.label.multiline and self.parts:
                self.parts.append("")
            return
        for item in items:
            if isinstance(item, _Label) and not self._value_of_pending(item):
                self.start(item)
            else:
                self.text(item.name if isinstance(item, _Label) else item)

    def _value_of_pending(self, item: _Label) -> bool:
        return bool(
            self.label
            and not self.parts
            and item.bare
            and not item.value
            and _is_value_of(self.label, item.name)
        )

    def start(self, label: _Label) -> None:
        self.finish()
        self.label = label
        self.parts = [label.value] if label.value else []

    def text(self, text: str) -> None:
        if set(text.split()) <= PAGE_WORDS or self.label is None:
            self.parsed.unused.append(text)
        elif self.label.multiline or not self.parts:
            self.parts.append(text)
        else:
            self.parsed.unused.append(text)

    def finish(self) -> None:
        if self.label is not None:
            if self.label.multiline:
                self.check_runs_on(self.label.name, self.parts[1:])
                value = "\n".join(self.parts).strip("\n")
            else:
                value = "".join(self.parts)
            self.assign(self.label.name, value)
        self.label, self.parts = None, []

    def check_runs_on(self, name: str, lines: list[str]) -> None:
        """A long value runs to the next known label: say so when it took in a line that
        looks like a field of its own (是否公开:否)."""
        for line in lines:
            if _UNKNOWN_FIELD_RE.match(line):
                self.parsed.warnings.append(
                    f"{name}中的“{line}”像是另一个字段,已作为{name}的一部分,请核对。"
                )

    def header_row(self, labels: list[_Label], lines: list[str], i: int) -> int:
        """Pair a header row with the row of values under it; the index to read on from."""
        self.finish()
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        row = lines[j] if j < len(lines) else ""
        cells = _cells(row, len(labels))
        names = "、".join(x.name for x in labels)
        if cells is None or any(
            x.group("colon") or x.group("bracketed") for x in _LABEL_RE.finditer(row)
        ):
            self.parsed.warnings.append(
                f"表头“{names}”下面没有列数相同的一行数据,这几项未能读取,请手工填写。"
            )
            for label in labels:
                self.parsed.raw.setdefault(label.name, "")
            return i + 1
        for label, cell in zip(labels, cells, strict=True):
            self.assign(label.name, _trim(cell))
        return j + 1

    def assign(self, name: str, value: str) -> None:
        self.parsed.raw.setdefault(name, value)
        target = _FIELD_OF[name]
        if target is None or not value.strip():
            return
        values, warnings = _READERS[target](value, name)
        candidates = self.candidates.setdefault(target, [])
        rank = ALIASES[target].index(name)
        candidates.append(_Candidate(rank, len(candidates), name, value, values, warnings))

    def result(self) -> Parsed:
        self.finish()
        parsed = self.parsed
        for target, candidates in self.candidates.items():
            self.settle(target, sorted(candidates, key=lambda c: (c.rank, c.order)))
        levels = [parsed.fields.pop(f"category_{n}", None) for n in (1, 2, 3)]
        if "category_path" not in parsed.fields and any(levels):
            parsed.fields["category_path"] = tuple(x for x in levels if x)
        for target, name in REQUIRED.items():
            if target not in self.candidates:
                parsed.warnings.append(f"没有找到{name},请手工填写。")
        return parsed

    def settle(self, target: str, candidates: list[_Candidate]) -> None:
        """Take the best label's value; say so when another label disagrees with it."""
        read = [c for c in candidates if c.values]
        for c in candidates:
            if not c.values or (read and c is read[0]):
                self.parsed.warnings.extend(c.warnings)
        if not read:
            return
        chosen = read[0]
        self.parsed.fields.update(chosen.values)
        for other in read[1:]:
            if not _disagree(target, chosen, other):
                continue
            if chosen.label == other.label:
                self.parsed.warnings.append(
                    f"{chosen.label}出现多次且不一致(“{chosen.text}”“{other.text}”),"
                    f"已取第一个,请核对。"
                )
            else:
                self.parsed.warnings.append(
                    f"{chosen.label}“{chosen.text}”与{other.label}“{other.text}”不一致,"
                    f"已取{chosen.label},请核对。"
                )


def _disagree(target: str, chosen: _Candidate, other: _Candidate) -> bool:
    if chosen.values == other.values:
        return False
    if target == "received_at":
        # 来电时间 and 派单时间 are different moments: only a repeated label disagrees
        return chosen.label == other.label
    if target == "address":
        a, b = chosen.values["address"], other.values["address"]
        return a not in b and b not in a
    return True


# --- values -------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _read_platform_no(value: str, label: str):
    compact = re.sub(r"\s", "", values.nfkc(value))
    found = re.match(r"[A-Za-z0-9_-]+", compact)
    if not found:
        return {}, [f"{label}“{value}”不是有效的工单编号,请手工填写。"]
    warnings = []
    if found.group() != compact:
        warnings.append(f"{label}“{value}”只取了“{found.group()}”,请核对。")
    return {"platform_no": found.group()}, warnings


def _read_received_at(value: str, label: str):
    found = values.find_datetime(value)
    if found.day is not None:
        return {}, [f"{label}“{value}”只有日期没有时刻,请补全来电时间。"]
    if found.when is None:
        return {}, [f"无法识别{label}“{value}”,请手工填写来电时间。"]
    warnings = [] if found.exact else [f"{label}“{value}”只识别了其中的日期时间,请核对。"]
    return {"received_at": found.when}, warnings


def _read_limit(value: str, label: str):
    """A due time (→ platform_due_at) or a span: 7天 → limit_days, 24小时 → limit_hours."""
    found = values.find_datetime(value)
    if found.when is not None:
        return {"platform_due_at": found.when}, []
    spans = values.find_durations(value)
    if len(spans) != 1 or not spans[0] or not spans[0].amount:
        if found.day is not None:
            return {}, [f"{label}“{value}”只有日期没有时刻,请手工填写截止时间。"]
        return {}, [f"无法识别{label}“{value}”,请手工填写办理时限。"]
    span = spans[0]
    if span.hours:
        return {"limit_hours": span.amount}, []
    warnings = []
    if span.working_days:
        warnings.append(
            f"{label}“{value}”按{span.amount}天填写;按自然日还是工作日计算取决于时限设置,请核对。"
        )
    return {"limit_days": span.amount}, warnings


def _read_phone(value: str, label: str):
    if values.is_masked(value):
        return {}, [f"{label}“{value}”已被遮挡,请从平台查看完整号码后填写。"]
    numbers = values.phone_numbers(value)
    if not numbers:
        return {}, [f"{label}“{value}”里没有电话号码。"]
    warnings = []
    if len(numbers) > 1:
        warnings.append(f"{label}“{value}”有多个号码,已取第一个“{numbers[0]}”,请核对。")
    elif values.beside_phone_numbers(value):
        warnings.append(f"{label}“{value}”里除号码外还有文字,只取了号码,请核对。")
    mobile = values.mobile(numbers[0])
    if mobile:
        return {"caller_phone": mobile}, warnings
    warnings.append(f"{label}“{numbers[0]}”不是11位手机号,请核对。")
    return {"caller_phone": numbers[0]}, warnings


def _read_name(value: str, label: str):
    name = _one_line(value)
    if "*" in name:
        return {}, [f"{label}“{value}”已被遮挡,请从平台查看完整姓名后填写。"]
    return {"caller_name": name}, []


# Words that name a choice, in the order they are tried: the first found decides.
_REQUEST_WORDS = {
    "咨询": RequestType.CONSULT,
    "求助": RequestType.HELP,
    "求决": RequestType.HELP,
    "投诉": RequestType.COMPLAINT,
    "举报": RequestType.REPORT,
    "建议": RequestType.SUGGESTION,
    "意见": RequestType.SUGGESTION,
    "表扬": RequestType.PRAISE,
    "感谢": RequestType.PRAISE,
    "其他": RequestType.OTHER,
}
_URGENCY_WORDS = {
    "非紧急": Urgency.ORDINARY,
    "不紧急": Urgency.ORDINARY,
    "紧急": Urgency.EMERGENCY,
    "特急": Urgency.EMERGENCY,
    "水电气热": Urgency.UTILITY,
    "一般": Urgency.ORDINARY,
    "普通": Urgency.ORDINARY,
    "复杂": Urgency.COMPLEX,
}
_CHANNEL_WORDS = {
    "领导留言板": Channel.LEADER_BOARD,
    "政务服务网": Channel.GOV_WEBSITE,
    "舆情": Channel.OPINION,
    "96181": Channel.HOTLINE_96181,
    "手工": Channel.MANUAL,
    "网络": Channel.WEB,
    "网站": Channel.WEB,
    "网上": Channel.WEB,
    "微信": Channel.WEB,
    "小程序": Channel.WEB,
    "APP": Channel.WEB,
    "电话": Channel.PHONE,
    "热线": Channel.PHONE,
}


def _choice(target: str, choices, words: dict, *, first_wins: bool):
    def read(value: str, label: str):
        text = re.sub(r"\s", "", values.nfkc(value))
        exact = {values.nfkc(c.label): c.value for c in choices}
        if text in exact:
            return {target: exact[text]}, []
        found = []
        for word, choice in words.items():
            if word in text and choice not in found:
                found.append(choice)
                text = text.replace(word, "·")
        if len(found) == 1 or (found and first_wins):
            return {target: found[0].value}, []
        if found:
            names = "、".join(choices(c).label for c in found)
            return {}, [f"{label}“{value}”可理解为{names},请手工选择。"]
        return {}, [f"无法识别{label}“{value}”,请手工选择。"]

    return read


def _read_category(value: str, label: str):
    path = tuple(values.category_levels(_one_line(value)))
    return ({"category_path": path}, []) if path else ({}, [])


def _text(target: str):
    def read(value: str, label: str):
        return {target: _one_line(value)}, []

    return read


def _read_content(value: str, label: str):
    lines = [line.strip() for line in value.split("\n")]
    return {"content": re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()}, []


def _level(n: int):
    def read(value: str, label: str):
        return {f"category_{n}": _one_line(value)}, []

    return read


_ENUMS = {"request_type", "urgency", "channel"}
_READERS = {
    "platform_no": _read_platform_no,
    "received_at": _read_received_at,
    "caller_name": _read_name,
    "caller_phone": _read_phone,
    "request_type": _choice("request_type", RequestType, _REQUEST_WORDS, first_wins=False),
    "urgency": _choice("urgency", Urgency, _URGENCY_WORDS, first_wins=False),
    "channel": _choice("channel", Channel, _CHANNEL_WORDS, first_wins=True),
    "category": _read_category,
    "category_1": _level(1),
    "category_2": _level(2),
    "category_3": _level(3),
    "address": _text("address"),
    "title": _text("title"),
    "content": _read_content,
    "limit": _read_limit,
    "district_name": _text("district_name"),
    "street_name": _text("street_name"),
    "community_name": _text("community_name"),
    "company_name": _text("company_name"),
}
