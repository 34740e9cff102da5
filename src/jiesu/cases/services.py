"""Writes about a case that are not state changes: attachments and personal-data reveals."""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from jiesu.cases import workflow
from jiesu.cases.errors import InvalidInput, RoleRefused
from jiesu.cases.models import Attachment
from jiesu.core.masking import REVEALABLE
from jiesu.core.models import PiiAccess, PiiField
from jiesu.org.models import PII_ROLES


def store_attachment(case, *, by, name: str, data: bytes) -> Attachment:
    """Keep an uploaded file under its content hash and put it on the timeline."""
    workflow.check(case, "attach", by)
    content_type = check_upload(name, len(data))
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


def may_reveal(user, case) -> bool:
    return bool(workflow.roles_on_case(user, case, co_units_may=True) & PII_ROLES)


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
    return getattr(case, field)


PII_LABELS = dict(PiiField.choices)
