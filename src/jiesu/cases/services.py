"""Writes about cases that are not state changes of one case: attachments, personal-data
reveals, and merging 待确认 categories or communities into confirmed ones."""

import hashlib
import io
import re
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from jiesu.cases import workflow
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.cases.models import Attachment, Case
from jiesu.core.masking import REVEALABLE
from jiesu.core.models import PiiAccess, PiiField
from jiesu.core.scoping import reach_of, unscoped
from jiesu.org.models import PII_ROLES


def store_attachment(case, *, by, name: str, data: bytes) -> Attachment:
    """Keep an uploaded file under its content hash and put it on the timeline."""
    workflow.check(case, "attach", by)
    content_type = check_upload(name, len(data))
    check_content(name, data)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        attachment = Attachment(
            case=case,
            name=PurePath(name).name[:200],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=by,
        )
        attachment.file.save(digest, ContentFile(data), save=True)
        workflow.attach(case, by=by, attachment=attachment)
    return attachment


def check_upload(name: str, size: int) -> str:
    """The content type for an allowed file; refuses other types, empty and oversized files."""
    suffix = PurePath(name).suffix.lower()
    allowed = settings.JIESU_ATTACHMENT_TYPES
    if suffix not in allowed:
        kinds = "、".join(sorted(s.lstrip(".") for s in allowed))
        raise InvalidInput(
            f"不支持的文件类型“{suffix or '无扩展名'}”,可上传:{kinds}。", field="file"
        )
    limit = settings.JIESU_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise InvalidInput(f"文件超过{limit // (1024 * 1024)}MB的大小限制。", field="file")
    if size == 0:
        raise InvalidInput("文件是空的。", field="file")
    return allowed[suffix]


# What each allowed suffix must be inside, by its signature (the `filetype` package);
# the Office formats are checked by their parts, text by its decoding and the lack of markup.
_SIGNATURES = {
    ".jpg": {"jpg"},
    ".jpeg": {"jpg"},
    ".png": {"png"},
    ".pdf": {"pdf"},
    ".doc": {"doc", "xls", "ppt"},  # one OLE2 container for all three
    ".xls": {"doc", "xls", "ppt"},
    ".mp3": {"mp3"},
    ".wav": {"wav"},
}
_OFFICE_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b", re.I)


def check_content(name: str, data: bytes) -> None:
    """Refuses a file whose content is not what its name says (a PNG that is HTML)."""
    suffix = PurePath(name).suffix.lower()
    refused = InvalidInput(
        f"文件内容与扩展名“{suffix}”不符,已拒绝上传。请上传真实的{suffix.lstrip('.')}文件。",
        field="file",
    )
    if suffix in _SIGNATURES:
        kind = filetype.guess(data[:8192])
        if kind is None or kind.extension not in _SIGNATURES[suffix]:
            raise refused
    elif suffix in _OFFICE_PARTS:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                if _OFFICE_PARTS[suffix] not in book.namelist():
                    raise refused
        except zipfile.BadZipFile:
            raise refused from None
    elif suffix == ".txt":
        for encoding in ("utf-8", "gb18030"):
            try:
                data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise refused
        if b"\x00" in data or _MARKUP.search(data):
            raise refused


def may_reveal(reach, case) -> bool:
    """Whether the user (a Reach, or a user) may see the case's personal data in full."""
    return bool(reach_of(reach).roles_on(case, co_units=True) & PII_ROLES)


def reveal(case, *, by, field: str, channel: str = "web") -> str:
    """The full value of one personal-data field, logged."""
    if field not in REVEALABLE:
        raise InvalidInput("没有这个个人信息字段。", field="field")
    if not may_reveal(by, case):
        raise RoleRefused("您的角色无权查看诉求人的完整个人信息。")
    PiiAccess.objects.create(user=by, case=case, field=field, channel=channel)
    if field == "reply":
        labels = dict(workflow.REPLY_PARTS, unit="办理单位")
        reply = case.reply or {}
        return "\n".join(f"{labels[p]}:{reply[p]}" for p in labels if reply.get(p))
    if field == "notes":
        return "\n".join(
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M} {e.actor or '系统'} "
            f"{workflow.ACTION_LABELS.get(e.action, e.action)}:{e.reason}"
            for e in case.events.select_related("actor").order_by("at", "id")
            if e.reason
        )
    return getattr(case, field)


PII_LABELS = dict(PiiField.choices)


def merge_unconfirmed(unconfirmed: list, into, *, field: str) -> int:
    """Move every case of the 待确认 categories (field="category") or communities
    (field="community") an import created to the confirmed `into`, on each case's timeline,
    then delete them. Returns the number of cases moved."""
    if getattr(into, "unconfirmed", False):
        raise InvalidInput("请选择一个已确认的目标。")
    moved = 0
    with transaction.atomic():
        for item in unconfirmed:
            if not item.unconfirmed or item.pk == into.pk:
                raise InvalidInput(f"“{item}”不是待确认的,不能并入。")
            if item.children.exists():
                raise InvalidInput(f"“{item}”还有下级,请先合并下级。")
            cases = Case.objects.filter(**{field: item}).select_related(
                "district", "street", "lead_unit", "category", "community"
            )
            for case in unscoped(cases, why="a merge moves every case of the merged item"):
                workflow.platform_update(case, by=None, changes={field: into})
                moved += 1
            item.delete()
    return moved
