"""Excel downloads: every .xlsx jiesu sends goes out through workbook_response."""

import io
import re
from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ascii_name(filename: str) -> str:
    """The name for programs that read only `filename`: its ASCII letters, digits and
    punctuation (a Chinese name keeps its dates and numbers), never empty."""
    path = Path(filename)
    kept = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._")
    return f"{kept or 'download'}{path.suffix if path.suffix.isascii() else ''}"


def attachment(filename: str) -> str:
    """A Content-Disposition for a download (RFC 6266): an ASCII `filename` first, as a
    fallback, then the real name in UTF-8 as `filename*`, which browsers prefer."""
    real = quote(filename, safe="")
    return f"attachment; filename=\"{ascii_name(filename)}\"; filename*=utf-8''{real}"


def workbook_response(book: Workbook | bytes | Path | str, filename: str):
    """An Excel download named `filename`: an openpyxl Workbook, the bytes of one, or the
    path of one on disk (streamed)."""
    response = _body(book)
    response["Content-Disposition"] = attachment(filename)
    return response


def _body(book) -> HttpResponse | FileResponse:
    if isinstance(book, Path | str):
        return FileResponse(open(book, "rb"), content_type=XLSX)  # closed by Django when sent
    return HttpResponse(
        workbook_bytes(book) if isinstance(book, Workbook) else book, content_type=XLSX
    )
