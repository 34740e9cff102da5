"""The office's own Word templates: an upload is checked in a child process with limits
(a .docx is a zip anyone can craft), stored, and becomes the next version of its kind.

The child (`python -m jiesu.reports.office_templates FILE`) sets its memory and CPU limits
before it opens anything, checks the zip (entry count, sizes, compression ratio), loads
the document and fills it with sample numbers in the same sandboxed template engine the
reports use. Any failure comes back as a Chinese sentence and nothing is stored.
"""

import hashlib
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MEMORY = 1024 * 1024 * 1024
CPU_SECONDS = 30
WALL_SECONDS = 60
REFUSED = 2


class TemplateRefused(Exception):
    """The upload is no usable template; the message says why, in Chinese."""


def sandbox():
    """The template engine reports are filled with: sandboxed (no attribute of Python
    objects a template could climb through), escaping what it writes."""
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=True)


def upload(kind: str, file, *, note: str, user):
    """Check an uploaded template, store it, make it the current one of its kind."""
    from django.conf import settings
    from django.db import transaction

    from jiesu.reports.models import ReportTemplate

    with tempfile.NamedTemporaryFile(suffix=".docx") as tmp:
        digest = hashlib.sha256()
        for chunk in file.chunks():
            tmp.write(chunk)
            digest.update(chunk)
        tmp.flush()
        check(Path(tmp.name))
        with transaction.atomic():
            from jiesu.reports import jobs

            version = jobs.next_version(kind)
            relative = (
                Path("report_templates") / kind / f"v{version}-{digest.hexdigest()[:12]}.docx"
            )
            target = settings.MEDIA_ROOT / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.seek(0)
            target.write_bytes(tmp.read())
            made = ReportTemplate.objects.create(
                kind=kind,
                version=version,
                file=str(relative),
                original_name=Path(file.name).name[:200],
                note=note,
                uploaded_by=user,
            )
            jobs.make_current(made, kind)
    made.refresh_from_db()
    return made


def path_of(template) -> Path | None:
    from django.conf import settings

    path = (settings.MEDIA_ROOT / template.file).resolve()
    if settings.MEDIA_ROOT.resolve() not in path.parents or not path.exists():
        return None
    return path


def check(path: Path) -> None:
    """Check the file in a child process; raise TemplateRefused with the reason."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "jiesu.reports.office_templates", str(path)],
            capture_output=True,
            text=True,
            timeout=WALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TemplateRefused("模板检查超时:文件过大或过于复杂。") from None
    if done.returncode == REFUSED:
        raise TemplateRefused(done.stdout.strip() or "模板无法使用。")
    if done.returncode != 0:
        raise TemplateRefused("模板无法打开:文件已损坏或过大,请用 Word 另存为 .docx 后再上传。")


# --- the child ----------------------------------------------------------------------------


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _check_zip(path: Path) -> None:
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise TemplateRefused("这不是 Word 文档(.docx):请用 Word 另存为 .docx 后再上传。") from None
    with book:
        entries = book.infolist()
        if len(entries) > MAX_ENTRIES:
            raise TemplateRefused("模板文件内部条目过多,无法使用。")
        total = sum(e.file_size for e in entries)
        packed = sum(e.compress_size for e in entries) or 1
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise TemplateRefused("模板文件解压后过大,无法使用。")
        if "word/document.xml" not in book.namelist():
            raise TemplateRefused("这不是 Word 文档(.docx):缺少正文。")


def sample() -> dict:
    """Numbers and sentences shaped like a report's, to fill a template with."""
    numbers = {
        "received": 1032,
        "closed": 998,
        "response_rate": 0.983,
        "resolution_rate": 0.9,
        "satisfaction_rate": 0.92,
        "score": 93.5,
        "rank": 3,
        "previous_received": 954,
        "year_before_received": 1065,
    }
    return {
        "title": "示例街道12345市民服务热线诉求办理月报",
        "subtitle": "2026年11月考核周期",
        "unit": "示例街道",
        "issued": "2026年11月19日 09:00",
        "basis": "受理量按来电时间统计。",
        "note": "",
        "sections": [
            {
                "heading": "一、总体情况",
                "lines": ["本期共受理诉求1,032件。"],
                "chart": None,
                "tables": [],
            }
        ],
        "n": numbers,
        "text": {k: str(v) for k, v in numbers.items()},
    }


def _fill(path: Path) -> None:
    from docxtpl import DocxTemplate

    try:
        doc = DocxTemplate(str(path))
        doc.render(sample(), jinja_env=sandbox(), autoescape=True)
    except Exception as err:  # a template's own mistake, said in its words
        raise TemplateRefused(f"模板中的占位符有误:{str(err)[:200]}") from None


def _main(argv: list[str]) -> int:
    _limits()
    try:
        path = Path(argv[0])
        _check_zip(path)
        _fill(path)
    except TemplateRefused as err:
        print(err)
        return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
