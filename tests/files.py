"""Small real files for tests: attachments are checked by their content, not their name."""

import io
import struct
import zlib
from pathlib import PurePath


def png_1x1(tail: bytes = b"") -> bytes:
    """A real one-pixel PNG, chunk by chunk (anything after IEND is ignored by readers)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
    return png + chunk(b"IEND", b"") + tail


def xlsx(*rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def sample(name: str) -> bytes:
    """A file of the type its name says, different for every name."""
    tag = name.encode()
    suffix = PurePath(name).suffix.lower()
    if suffix == ".mp3":
        return b"ID3\x03\x00\x00\x00\x00\x00\x00" + tag
    if suffix == ".wav":
        return b"RIFF\x24\x00\x00\x00WAVEfmt " + tag
    if suffix == ".png":
        return png_1x1(tag)
    if suffix in (".jpg", ".jpeg"):
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + tag
    if suffix == ".pdf":
        return b"%PDF-1.4\n% " + tag + b"\n%%EOF"
    if suffix == ".xlsx":
        return xlsx([name])
    if suffix == ".docx":
        return docx(name)
    return f"{name} 内容".encode()
