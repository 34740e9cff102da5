"""Hostile spreadsheets fail their own import with a Chinese message; the process survives."""

import random
import string
import time

import pytest

from jiesu.cases.models import Case
from jiesu.intake import safe_read
from jiesu.intake.importer import ImportRefused, import_file
from jiesu.intake.models import ImportRun, ImportStatus
from tests.intake.conftest import HEADER, export_row
from tests.intake.hostile import sheet, text_cell, write_by_hand

FAR = "XFD1048576"  # the last cell a sheet may have


def _import(path, org, people):
    return import_file(path, platform="city", street=org["street"], user=people["zuoxi"])


def test_one_cell_at_the_last_place_fails_alone(org, people, categories, tmp_path, write_xlsx):
    path = write_by_hand(
        tmp_path / "tiny.xlsx",
        sheet(
            f'<row r="1">{text_cell("A1", "工单编号")}</row><row r="1048576">'
            f"{text_cell(FAR, 'x')}</row>"
        ),
    )
    assert path.stat().st_size < 2000
    started = time.monotonic()
    with pytest.raises(ImportRefused, match="超过 200 列的上限"):
        _import(path, org, people)
    assert time.monotonic() - started < 30
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and "超过 200 列的上限" in run.message
    # this process is alive and the next, ordinary import goes through
    ordinary = _import(write_xlsx([export_row(1)]), org, people)
    assert ordinary.created == 1 and Case.objects.count() == 1


def test_a_declared_dimension_is_refused_before_parsing(org, people, tmp_path):
    rows = f'<row r="1">{text_cell("A1", "工单编号")}</row>'
    path = write_by_hand(tmp_path / "dim.xlsx", sheet(rows, dimension=f"A1:{FAR}"))
    with pytest.raises(ImportRefused, match="上限"):
        _import(path, org, people)


def test_a_far_corner_is_refused_by_the_cell_count(org, people, tmp_path):
    """20 columns down to the last row would be a dense grid of 21 million cells."""
    rows = (
        f'<row r="1">{text_cell("A1", "工单编号")}</row>'
        f'<row r="1048576">{text_cell("T1048576", "x")}</row>'
    )
    path = write_by_hand(tmp_path / "tall.xlsx", sheet(rows))
    with pytest.raises(ImportRefused, match="1,048,576 行 × 20 列.*20,000,000 个单元格的上限"):
        _import(path, org, people)


def test_rows_past_the_limit_are_refused(org, people, settings, tmp_path):
    settings.JIESU_IMPORT_MAX_ROWS = 5000
    rows = f'<row r="1">{text_cell("A1", "工单编号")}</row><row r="5001">{text_cell("A5001", "x")}</row>'
    path = write_by_hand(tmp_path / "tall.xlsx", sheet(rows))
    with pytest.raises(ImportRefused, match="超过 5,000 行的上限"):
        _import(path, org, people)


def test_cells_without_their_place_are_counted(org, people, tmp_path):
    """A cell may omit r="…"; it then follows the one before it, so 300 of them reach KN."""
    rows = '<row r="1">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 300 + "</row>"
    path = write_by_hand(tmp_path / "wide.xlsx", sheet(rows))
    with pytest.raises(ImportRefused, match="超过 200 列的上限"):
        _import(path, org, people)


def test_a_cell_cut_by_the_read_chunk_is_still_seen(tmp_path):
    """The scan reads 1 MiB at a time: a far cell across the boundary must not slip through."""
    head = sheet("").split("<sheetData>")[0] + '<sheetData><row r="1">'
    tail = '</t></is></c></row><row r="2">'
    opening = '<c r="A1" t="inlineStr"><is><t>'
    size = safe_read.CHUNK - 5 - len(head) - len(opening) - len(tail)
    filler = "".join(random.Random(9).choices(string.ascii_letters, k=size))  # no bomb
    xml = head + opening + filler + tail + text_cell(FAR, "x") + "</row></sheetData></worksheet>"
    start = xml.encode().find(b'<c r="XFD')
    assert start == safe_read.CHUNK - 5  # the tag straddles the end of the first read
    path = write_by_hand(tmp_path / "cut.xlsx", xml)
    with pytest.raises(ImportRefused, match="超过 200 列的上限"):
        safe_read.check_xlsx(path, safe_read.Limits())


def _bomb(path, megabytes: int):
    """A sheet of one repeated byte inside an XML comment: megabytes unpack from kilobytes."""
    chunk = b"<!--" + b"0" * (2**20 - 7) + b"-->"
    head = sheet("").split("<sheetData>")[0].encode()
    body = [head, *[chunk] * megabytes, b"<sheetData></sheetData></worksheet>"]
    return write_by_hand(path, sheet_chunks=body)


def test_a_zip_bomb_is_refused_before_parsing(org, people, tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", 300)
    assert path.stat().st_size < 2 * 2**20
    started = time.monotonic()
    with pytest.raises(ImportRefused, match="压缩比异常.*疑似恶意构造"):
        _import(path, org, people)
    assert time.monotonic() - started < 5  # refused from the zip directory, nothing unpacked


def test_the_unpacked_size_is_limited(org, people, settings, tmp_path):
    settings.JIESU_IMPORT_MAX_UNCOMPRESSED = 10 * 2**20
    with pytest.raises(ImportRefused, match="解压后共 20MB,超过 10MB 的上限"):
        _import(_bomb(tmp_path / "bomb.xlsx", 20), org, people)


def test_the_memory_limit_stops_a_child_the_checks_let_through(settings, tmp_path):
    """With the checks opened wide, the reader asks for 512 GiB and the limit kills it."""
    rows = f'<row r="1">{text_cell("A1", "a")}</row><row r="1048576">{text_cell(FAR, "x")}</row>'
    path = write_by_hand(tmp_path / "tiny.xlsx", sheet(rows))
    wide_open = safe_read.Limits(
        max_rows=10**7, max_columns=10**5, max_cells=10**13, memory=512 * 2**20
    )
    with pytest.raises(ImportRefused, match="表格文件过大或已损坏"):
        safe_read.read_table(path, wide_open)


def test_the_time_limit_stops_the_child(org, people, settings, write_xlsx):
    settings.JIESU_IMPORT_CHILD_SECONDS = 0.01
    with pytest.raises(ImportRefused, match="表格文件过大或已损坏.*读取超过 0.01 秒"):
        _import(write_xlsx([export_row(1)]), org, people)


def test_not_a_zip_is_refused(org, people, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"<html>not a workbook</html>")
    with pytest.raises(ImportRefused, match="不是有效的 Excel"):
        _import(path, org, people)


def test_a_lying_zip_directory_fails_its_crc(tmp_path):
    """An entry that says it is small but unpacks larger is caught when it is streamed."""
    path = write_by_hand(tmp_path / "liar.xlsx", sheet(text_cell("A1", "x" * 5000)))
    data = bytearray(path.read_bytes())
    entry = data.find(b"xl/worksheets/sheet1.xml", data.find(b"PK\x01\x02"))
    header = data.rfind(b"PK\x01\x02", 0, entry)
    data[header + 24 : header + 28] = (100).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(ImportRefused, match="已损坏"):
        safe_read.check_xlsx(path, safe_read.Limits())


def test_a_csv_past_the_column_limit_is_refused(org, people, write_csv):
    header = HEADER + [f"多余{n}" for n in range(300)]
    path = write_csv([export_row(1) + [""] * 300], header=header)
    with pytest.raises(ImportRefused, match="超过 200 列的上限"):
        _import(path, org, people)


def test_a_csv_past_the_row_limit_is_refused(org, people, settings, write_csv):
    settings.JIESU_IMPORT_MAX_ROWS = 10
    with pytest.raises(ImportRefused, match="超过 10 行的上限"):
        _import(write_csv([export_row(n) for n in range(1, 20)]), org, people)


def test_a_csv_with_a_huge_field_is_a_clear_refusal(org, people, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("工单编号,标题\n1," + "长" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="CSV 文件格式有误"):
        _import(path, org, people)


def test_the_child_gets_none_of_the_servers_secrets(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret")
    env = safe_read._child_env()
    assert "DATABASE_URL" not in env and "PYTHONPATH" in env
