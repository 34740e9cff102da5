"""Reading an uploaded spreadsheet without trusting it (表格安全读取).

An .xlsx is a zip of XML that may declare or hold cells anywhere up to XFD1048576, and the
reader builds a dense grid from the first to the last cell: one hostile cell asks for
512 GiB. So the file is read in a child process (`python -m jiesu.intake.safe_read`) that
sets its own memory limit before it opens anything, first checks the zip (entry count,
sizes, compression ratios, CRCs) and scans the sheets' XML as a stream for the real extent
of their cells, and only then parses. The parent waits with a wall-clock limit and gets
the rows back as pickled batches in a temporary file. This module imports no Django, so
the child starts fast and holds nothing of the server's.
"""

import csv
import io
import json
import logging
import os
import pickle
import re
import resource
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

READERS = (".xlsx", ".xlsm", ".xls", ".csv")
BROKEN = "表格文件过大或已损坏,无法导入:请用 Excel 打开后另存为 .xlsx,或分批导出后再导入。"
EXPECTED = "只能导入平台导出的 Excel 文件(.xlsx、.xls)或 CSV 文件(.csv,UTF-8 或 GBK 编码)。"
# Said after a file that is not what its name claims, or is broken.
REEXPORT = f"{EXPECTED}请在平台上重新导出,或用 Excel 打开后另存为 .xlsx 再导入。"


def wrong_type(name: str) -> str:
    """The refusal of a file whose name says it is no spreadsheet."""
    suffix = Path(name).suffix.lower()
    return f"不支持的文件类型“{suffix or '无扩展名'}”:{EXPECTED}请在平台上导出为 Excel 后再导入。"


REFUSED = 2  # the child's exit code for a file it refused, with the reason on stdout
CHUNK = 1 << 20
BATCH = 5000  # rows per pickled batch
RATIO_FLOOR = 1 << 20  # entries smaller than this may compress as well as they like

logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    max_uncompressed: int = 500 * 1024 * 1024
    max_ratio: int = 100
    max_entries: int = 1000
    max_rows: int = 1_100_000
    max_columns: int = 200
    max_cells: int = 20_000_000
    memory: int = 2 * 1024**3
    seconds: float = 120

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(
            max_uncompressed=settings.JIESU_IMPORT_MAX_UNCOMPRESSED,
            max_ratio=settings.JIESU_IMPORT_MAX_RATIO,
            max_entries=settings.JIESU_IMPORT_MAX_ENTRIES,
            max_rows=settings.JIESU_IMPORT_MAX_ROWS,
            max_columns=settings.JIESU_IMPORT_MAX_COLUMNS,
            max_cells=settings.JIESU_IMPORT_MAX_CELLS,
            memory=settings.JIESU_IMPORT_CHILD_MEMORY,
            seconds=settings.JIESU_IMPORT_CHILD_SECONDS,
        )


# --- the parent ----------------------------------------------------------------------


def read_table(path: Path, limits: Limits | None = None) -> list[list]:
    """All rows of the first sheet (or the CSV), read by a child process under limits."""
    limits = limits or Limits.from_settings()
    if path.suffix.lower() not in READERS:
        raise ImportRefused(wrong_type(path.name))
    with tempfile.TemporaryDirectory(prefix="jiesu-read-") as folder:
        out = Path(folder) / "rows.pickle"
        command = [
            sys.executable,
            "-m",
            "jiesu.intake.safe_read",
            str(path.resolve()),
            str(out),
            json.dumps(asdict(limits)),
        ]
        try:
            child = subprocess.run(
                command, capture_output=True, timeout=limits.seconds, env=_child_env()
            )
        except subprocess.TimeoutExpired:
            raise ImportRefused(f"{BROKEN}(读取超过 {limits.seconds:g} 秒)") from None
        if child.returncode == REFUSED:
            raise ImportRefused(child.stdout.decode("utf-8", "replace").strip())
        if child.returncode != 0:
            logger.warning(
                "表格读取子进程异常退出(%s):%s",
                child.returncode,
                child.stderr.decode("utf-8", "replace")[-2000:],
            )
            raise ImportRefused(BROKEN)
        rows: list[list] = []
        with open(out, "rb") as batches:
            while True:
                try:
                    rows.extend(pickle.load(batches))
                except EOFError:
                    return rows


def _child_env() -> dict:
    """The child needs the package on its path and a quiet Rust; nothing else of ours."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["RUST_BACKTRACE"] = "0"
    return env


# --- the child -----------------------------------------------------------------------


def _main(argv: list[str]) -> int:
    source, out, limits = Path(argv[0]), Path(argv[1]), Limits(**json.loads(argv[2]))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        with open(out, "wb") as batches:
            for batch in _batches(rows_of(source, limits)):
                pickle.dump(batch, batches, protocol=pickle.HIGHEST_PROTOCOL)
    except ImportRefused as err:
        sys.stdout.write(str(err))
        return REFUSED
    except MemoryError:
        return 3
    return 0


def _batches(rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_of(path: Path, limits: Limits):
    """The rows of the file, after the checks its type allows; raises ImportRefused."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path, limits)
        return
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, limits)
    yield from _capped(_calamine_rows(path), limits)


def _calamine_rows(path: Path):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own types for broken files
        raise ImportRefused(f"不是有效的 Excel 文件,或文件已损坏,无法读取。{REEXPORT}") from None
    yield from rows


def _csv_rows(path: Path, limits: Limits):
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused("无法识别文件编码:请另存为 UTF-8 或 GBK 编码的 CSV,或 Excel 文件。")
    del data
    try:
        yield from _capped(csv.reader(io.StringIO(text)), limits)
    except csv.Error:
        raise ImportRefused(f"CSV 文件格式有误,无法读取。{REEXPORT}") from None


def _capped(rows, limits: Limits):
    """Rows as they come, refusing a sheet past the row or column limit."""
    for number, row in enumerate(rows, start=1):
        if number > limits.max_rows:
            raise ImportRefused(_too_many_rows(limits))
        if len(row) > limits.max_columns:
            raise ImportRefused(_too_many_columns(limits))
        yield row


def _too_many_rows(limits: Limits) -> str:
    return f"表格超过 {limits.max_rows:,} 行的上限,请分批导出后再导入。"


def _too_many_columns(limits: Limits) -> str:
    return f"表格超过 {limits.max_columns} 列的上限(平台导出约 40 列),请检查文件是否正确。"


# --- the checks of an .xlsx ----------------------------------------------------------

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
_R = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_REF = re.compile(rb"""\sref\s*=\s*["']([^"']*)["']""")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_LONGEST_TAG = 64 * 1024


def check_xlsx(path: Path, limits: Limits) -> None:
    """Refuses a zip bomb or a sheet whose cells reach past the limits, before parsing."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ImportRefused(
            f"不是有效的 Excel 文件:文件已损坏,或并非真正的 .xlsx 文件。{REEXPORT}"
        ) from None
    with book:
        entries = book.infolist()
        if len(entries) > limits.max_entries:
            raise ImportRefused(
                f"表格文件内部包含 {len(entries)} 个部件,超过 {limits.max_entries} 个的上限。"
            )
        total = sum(e.file_size for e in entries)
        if total > limits.max_uncompressed:
            raise ImportRefused(
                f"表格文件解压后共 {total / 1048576:.0f}MB,"
                f"超过 {limits.max_uncompressed // 1048576}MB 的上限,请分批导出后再导入。"
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size >= RATIO_FLOOR and ratio > limits.max_ratio:
                raise ImportRefused(
                    f"表格文件的压缩比异常({ratio:.0f}:1,上限 {limits.max_ratio}:1),"
                    "疑似恶意构造的文件,已拒绝。"
                )
        try:
            for entry in entries:
                with book.open(entry) as stream:
                    if _is_sheet(entry.filename):
                        _check_sheet(stream, limits)
                    else:
                        while stream.read(CHUNK):  # CRC check: the sizes above are true
                            pass
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError):
            raise ImportRefused(f"表格文件已损坏,无法读取。{REEXPORT}") from None


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _check_sheet(stream, limits: Limits) -> None:
    """Streams one sheet's XML: its declared dimension and the place of every cell."""
    last_row = last_column = row = column = 0
    columns: dict[bytes, int] = {}
    rest = b""
    while True:
        chunk = stream.read(CHUNK)
        data = rest + chunk
        cut = data.rfind(b"<")
        if chunk and cut != -1 and data.find(b">", cut) == -1:
            data, rest = data[:cut], data[cut:]
            if len(rest) > _LONGEST_TAG:
                raise ImportRefused("表格文件中有异常的超长标记,疑似恶意构造的文件,已拒绝。")
        else:
            rest = b""
        for name, attributes in _TAG.findall(data):
            if name == b"dimension":
                ref = _REF.search(attributes)
                if ref:
                    _check_dimension(ref.group(1).decode("ascii", "replace"), limits)
                continue
            place = _R.search(attributes)
            if name == b"row":
                row = int(place.group(2)) if place and place.group(2) else row + 1
                column = 0
            elif place and place.group(1):
                letters = place.group(1)
                column = columns.get(letters) or columns.setdefault(
                    letters, _column_number(letters.decode("ascii"))
                )
                row = int(place.group(2) or row)
            else:  # a cell without its place follows the one before it
                column += 1
            if row > last_row or column > last_column:
                last_row, last_column = max(last_row, row), max(last_column, column)
                _check_extent(last_row, last_column, limits)
        if not chunk:
            return


def _check_dimension(ref: str, limits: Limits) -> None:
    """A declared `<dimension ref="A1:XFD1048576">` is refused by its last cell."""
    last = ref.split(":")[-1]
    match = _CELL.match(last.strip())
    if match:
        _check_extent(int(match.group(2)), _column_number(match.group(1)), limits)


def _check_extent(rows: int, columns: int, limits: Limits) -> None:
    if rows > limits.max_rows:
        raise ImportRefused(_too_many_rows(limits))
    if columns > limits.max_columns:
        raise ImportRefused(_too_many_columns(limits))
    if rows * columns > limits.max_cells:
        raise ImportRefused(
            f"表格的单元格范围({rows:,} 行 × {columns} 列)超过 {limits.max_cells:,} 个单元格的上限,"
            "请删除多余的行列或分批导出。"
        )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
