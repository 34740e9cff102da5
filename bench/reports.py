"""Reports and ledgers at scale.

    python bench/reports.py ledger                 # 100,000 and 300,000 rows, fresh database
    python bench/reports.py ledger --var DIR       # reuse DIR/jiesu.sqlite3 built before
    python bench/reports.py ledger --cases 1000000 --sizes 100000,1000000

Ledger: the streamed ledger (reports.ledgers) of 100,000 cases, its time and the peak
memory of the process that writes it, against the baseline in the same run: the ticked-rows
workbook (reports.exports.cases_xlsx), a normal openpyxl workbook held whole in memory; and
openpyxl's write-only workbook over the same rows. Then 300,000 rows, to show the ledger's
memory does not grow with its length.
Each figure comes from its own child process (peak RSS by resource.getrusage), so one
measurement's memory never counts in the next. Targets: 100,000 rows in at most 15 s and
300 MB.

    python bench/reports.py monthly                # throw-away PostgreSQL, 2,000,000 cases
    python bench/reports.py monthly --url URL      # a database kept by bench/scores.py --keep

月报: the monthly report (reports.documents.build, docx with its charts) of period 2026-10 for
the district of bench/scores.py's data (about 55,000 cases in the period) and, as the small
reference in the same run, for its smallest street (about 1,100); built as the system (no
reader), at the data's own `now`. The first build in the process (loading matplotlib and
docxtpl) and the median of the next three. Targets: district at most 30 s, street 3 s.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JIESU = str(ROOT / ".venv" / "bin" / "jiesu")
BATCH = 5000


def _django(var: Path) -> None:
    os.environ["JIESU_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiesu.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(var: Path, cases: int) -> None:
    """A fresh database with one street and `cases` cases, bulk-inserted (a ledger reads
    case rows only; the workflow's timeline does not matter to it)."""
    env = dict(os.environ, JIESU_VAR_DIR=str(var))
    subprocess.run([JIESU, "migrate", "-v0"], env=env, check=True)
    _django(var)
    from django.db import transaction

    from jiesu.cases.models import Case, Category, Platform, RequestType, State
    from jiesu.core.localtime import LOCAL
    from jiesu.org.models import Unit, UnitKind

    district = Unit.objects.create(name="昌平区", kind=UnitKind.DISTRICT, code="110114")
    street = Unit.objects.create(name="霍营街道", kind=UnitKind.STREET, parent=district)
    communities = [
        Unit.objects.create(name=f"第{i}社区", kind=UnitKind.COMMUNITY, parent=street)
        for i in range(20)
    ]
    top = Category.objects.create(name="城乡建设")
    leaves = [Category.objects.create(name=f"分类{i}", parent=top) for i in range(30)]
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=LOCAL)
    states = [State.CLOSED] * 8 + [State.DISPATCHED, State.RECEIVED]
    made = time.perf_counter()
    for first in range(0, cases, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, cases)):
            received = start + dt.timedelta(minutes=3 * n)
            state = states[n % len(states)]
            rows.append(
                Case(
                    platform=Platform.CITY,
                    platform_no=f"2026{n:010d}",
                    request_type=RequestType.COMPLAINT,
                    category=leaves[n % 30],
                    title=f"第{n}号 小区门口占道经营,电话13812{n % 100000:06d}",
                    content="华龙苑南里东门每天晚上有商贩占道经营,噪音大,垃圾多。" * 3,
                    caller_name="张三丰",
                    caller_phone=f"1381{n % 10000000:07d}",
                    address=f"华龙苑南里{n % 30}号楼3单元502",
                    district=district,
                    street=street,
                    community=communities[n % 20],
                    lead_unit=communities[n % 20],
                    received_at=received,
                    due_at=received + dt.timedelta(days=7),
                    state=state,
                    closed_at=received + dt.timedelta(days=2) if state == State.CLOSED else None,
                    reply={"result": "已协调城管清理,诉求人表示满意。"}
                    if state == State.CLOSED
                    else {},
                )
            )
        with transaction.atomic():
            Case.objects.bulk_create(rows)
    print(f"建库:{cases:,} 件工单,用时 {time.perf_counter() - made:.0f} 秒", flush=True)


def child(var: Path, how: str, rows: int) -> None:
    """Write one ledger of the first `rows` cases; print its seconds and peak memory."""
    _django(var)
    from jiesu.cases.models import Case
    from jiesu.reports import exports, ledgers

    cases = Case.objects.filter(pk__lte=rows)
    out = Path(tempfile.mkstemp(suffix=".xlsx")[1])
    start = time.perf_counter()
    if how == "ledger":
        written = ledgers.write(ledgers.build("all", cases), out)
    elif how == "openpyxl":
        written = write_openpyxl(ledgers.build("all", cases), out)
    else:  # the baseline: a normal workbook, every cell held in memory until saved
        chosen = cases.select_related(*ledgers.RELATED).order_by("received_at", "id")
        out.write_bytes(exports.cases_xlsx(chosen, with_callback=True))
        written = rows
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = out.stat().st_size / 1e6
    out.unlink()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": written, "mb": size_mb}))


def write_openpyxl(ledger, target) -> int:
    """The same ledger through openpyxl's write-only workbook (the streaming writer that
    reports.ledgers replaced): flat memory too, but several times the time per cell."""
    from openpyxl import Workbook

    from jiesu.reports.exports import cell_value

    book = Workbook(write_only=True)
    sheet = book.create_sheet(ledger.title)
    sheet.append([name for name, _, _ in ledger.columns])
    getters = [get for _, _, get in ledger.columns]
    written = 0
    for case, values in ledger.rows():
        sheet.append([cell_value(get(case, values)) for get in getters])
        written += 1
    book.save(target)
    return written


def measure(var: Path, how: str, rows: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "child", "--var", str(var), "--how", how, "--rows", str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def ledger(var: Path, sizes: list[int]) -> None:
    print(f"负载:{os.getloadavg()[0]:.1f}(1 分钟平均,{os.cpu_count()} 核)")
    startup = measure(var, "ledger", 0)
    print(f"空台账(进程启动与 Django 的内存):{startup['peak_mb']:.0f} MB")
    runs = [
        ("baseline", 100_000, "基线:普通工作簿(exports.cases_xlsx)"),
        ("openpyxl", 100_000, "对照:openpyxl 只写工作簿"),
        *(("ledger", n, "台账:流式写出(ledgers.write)") for n in sizes),
    ]
    for how, rows, label in runs:
        got = measure(var, how, rows)
        print(
            f"{label} {got['rows']:>7,} 行:{got['seconds']:6.1f} 秒,"
            f"峰值内存 {got['peak_mb']:5.0f} MB,文件 {got['mb']:.0f} MB",
            flush=True,
        )


def monthly(args) -> None:
    """The 月报 of the district and of its smallest street on PostgreSQL."""
    import shutil
    import statistics

    sys.path.insert(0, str(ROOT / "bench"))
    import scores as data

    var = Path(tempfile.mkdtemp(prefix="jiesu-monthly-"))
    try:
        with data.district_database(args.url, var, src=ROOT / "src", cases=args.cases):
            from django.db.models import Count

            from jiesu.assessment import rules
            from jiesu.cases.models import Case
            from jiesu.org.models import Unit, UnitKind
            from jiesu.reports import documents

            period = data.PAST_PERIOD
            start, end = rules.period_bounds(period)
            in_period = Case.objects.filter(received_at__gte=start, received_at__lt=end)
            district = Unit.objects.get(kind=UnitKind.DISTRICT)
            smallest = (
                in_period.values("street_id").annotate(n=Count("pk")).order_by("n", "street_id")
            )
            street = Unit.objects.get(pk=smallest.first()["street_id"])
            print(f"数据:{Case.objects.count():,} 件工单;周期 {period};负载 {load_text()}")
            print(
                "\n| 单位 | 周期受理 | 首次生成 s | 之后生成(3 次中位数)s | 文件 KB |\n|---|---:|---:|---:|---:|"
            )
            for unit in (street, district):
                out = var / f"monthly-{unit.pk}.docx"

                def build(unit=unit, out=out):
                    started = time.perf_counter()
                    documents.build(
                        "monthly",
                        reach=None,
                        period=period,
                        unit=unit.pk,
                        fmt="docx",
                        out=out,
                        now=data.NOW,
                    )
                    return time.perf_counter() - started

                first = build()
                later = statistics.median(build() for _ in range(3))
                count = in_period.filter(
                    **({"district": unit} if unit == district else {"street": unit})
                )
                print(
                    f"| {unit.name} | {count.count():,} | {first:.1f} | {later:.1f} "
                    f"| {out.stat().st_size / 1000:.0f} |"
                )
            print(f"\n负载(结束时):{load_text()}")
    finally:
        shutil.rmtree(var, ignore_errors=True)


def load_text() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg()) + f"({os.cpu_count()} 核)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["ledger", "child", "monthly"])
    parser.add_argument("--url", help="monthly: a PostgreSQL database kept by bench/scores.py")
    parser.add_argument("--var", type=Path, help="folder with a jiesu.sqlite3 built before")
    parser.add_argument(
        "--cases", type=int, help="cases to build (ledger: 300,000; monthly: 2,000,000)"
    )
    parser.add_argument(
        "--sizes", default="100000,300000", help="ledger lengths to time, e.g. 100000,1000000"
    )
    parser.add_argument("--how", default="ledger", choices=["ledger", "openpyxl", "baseline"])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if args.what == "child":
        return child(args.var, args.how, args.rows)
    if args.what == "monthly":
        args.cases = args.cases or 2_000_000
        return monthly(args)
    var = args.var or Path(tempfile.mkdtemp(prefix="jiesu-reports-"))
    if not (var / "jiesu.sqlite3").exists():
        build(var, args.cases or 300_000)
    print(f"数据库:{var / 'jiesu.sqlite3'}")
    ledger(var, [int(n) for n in args.sizes.split(",")])


if __name__ == "__main__":
    main()
