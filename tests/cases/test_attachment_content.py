"""Attachments are checked by what they are, not what they are called."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiesu.cases import services
from jiesu.cases.errors import InvalidInput
from tests.files import docx, png_1x1, xlsx

GOOD = {
    "photo.png": png_1x1,
    "reply.docx": lambda: docx("现场照片说明"),
    "ledger.xlsx": lambda: xlsx(["工单编号"]),
    "scan.pdf": lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "call.mp3": lambda: b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "call.wav": lambda: b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32,
    "note.txt": lambda: "居民反映的情况记录\n第二行".encode("gb18030"),
}

BAD = {
    "photo.png": b"<html><script>alert(1)</script></html>",
    "photo.jpg": png_1x1(),  # a PNG is not a JPEG
    "scan.pdf": b"<!DOCTYPE html><html></html>",
    "reply.docx": xlsx(["工单编号"]),  # a workbook named as a document
    "ledger.xlsx": b"PK\x03\x04 not a zip at all",
    "note.txt": b"<svg onload=alert(1)>",
    "call.mp3": b"MZ\x90\x00 an executable",
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_real_files_pass(name):
    services.check_content(name, GOOD[name]())


@pytest.mark.parametrize("name", sorted(BAD))
def test_files_that_lie_about_their_type_are_refused(name):
    with pytest.raises(InvalidInput) as refused:
        services.check_content(name, BAD[name])
    assert "文件内容与扩展名" in refused.value.message


def test_the_upload_page_refuses_html_named_png(client, people, dispatched):
    client.force_login(people["zuoxi"])
    fake = SimpleUploadedFile("现场.png", BAD["photo.png"], content_type="image/png")
    response = client.post(f"/cases/{dispatched.pk}/attachments/", {"file": fake}, follow=True)
    assert "文件内容与扩展名“.png”不符" in response.content.decode()
    assert dispatched.attachments.count() == 0
    assert not dispatched.events.filter(action="attach").exists()

    real = SimpleUploadedFile("现场.png", png_1x1(), content_type="image/png")
    client.post(f"/cases/{dispatched.pk}/attachments/", {"file": real})
    stored = dispatched.attachments.get()
    served = client.get(f"/cases/{dispatched.pk}/attachments/{stored.pk}/")
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
