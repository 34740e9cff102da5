"""Spreadsheet import speed: a 100,000-row platform export into SQLite.

    python bench/import_xlsx.py [ROWS]

Generates the .xlsx, imports it with `jiesu import` (the real path), and as the baseline in
the same run reads the same file with pandas and saves one case per row through the ORM
(on the first 2,000 rows, extrapolated). Prints both and the ratio.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_ROWS = 2000
COMMUNITIES = ["华龙苑南里社区", "龙锦苑东一区社区", "蓝天园社区", "霍营村", "田园风光雅苑社区"]
CATEGORIES = ["城乡建设->市容环卫->占道经营", "公共服务->供水->停水", "物业管理->供暖->室温不达标"]


def make_file(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(
        [
            "工单编号",
            "工单类型",
            "问题分类",
            "标题",
            "主要内容",
            "来电人",
            "来电人电话/账号",
            "来电时间",
            "村/社区",
            "小区点位/问题点位",
            "办理时限/截止时间",
            "是否有效回访",
            "是否联系",
            "是否解决",
            "是否满意",
        ]
    )
    for n in range(rows):
        community = COMMUNITIES[n % len(COMMUNITIES)]
        sheet.append(
            [
                f"2026{n:09d}",
                ["投诉", "求助", "咨询", "建议"][n % 4],
                CATEGORIES[n % 3],
                f"{community}反映问题{n}",
                f"来电人反映{community}附近的问题,已持续多日,希望尽快处理。编号{n}",
                "张三",
                f"138{n:08d}",
                f"2026-0{1 + n % 9}-{1 + n % 28:02d} {n % 24:02d}:15:00",
                community,
                f"{community}{n % 30}号楼",
                "7天",
                "是" if n % 2 else "",
                "是" if n % 2 else "",
                "解决" if n % 2 else "",
                "满意" if n % 2 else "",
            ]
        )
    book.save(path)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    work = Path(tempfile.mkdtemp(prefix="jiesu-import-"))
    path = work / "export.xlsx"
    start = time.perf_counter()
    make_file(path, rows)
    print(
        f"生成 {rows:,} 行 .xlsx:{time.perf_counter() - start:.1f} 秒,{path.stat().st_size / 1e6:.1f} MB"
    )

    env = dict(os.environ, JIESU_VAR_DIR=str(work), JIESU_DEMO_PASSWORD="bench-only")
    jiesu = str(ROOT / ".venv" / "bin" / "jiesu")
    subprocess.run([jiesu, "migrate", "-v0"], env=env, check=True)
    subprocess.run([jiesu, "demo", "--cases", "0"], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    done = subprocess.run(
        [jiesu, "import", str(path), "--platform", "city", "--user", "zuoxi", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    ours = time.perf_counter() - start
    print(f"jiesu import:{ours:.1f} 秒({rows / ours:,.0f} 行/秒),{done.stdout.strip()}")

    os.environ.update(env, DJANGO_SETTINGS_MODULE="jiesu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import pandas as pd
    from django.utils import timezone

    from jiesu.cases.models import Case
    from jiesu.org.models import Unit

    street = Unit.objects.get(kind="street")
    start = time.perf_counter()
    frame = pd.read_excel(path, dtype=str)
    read = time.perf_counter() - start
    start = time.perf_counter()
    for row in frame.head(BASELINE_ROWS).itertuples(index=False):
        Case.objects.create(
            platform="district",
            platform_no=row[0],
            request_type="complaint",
            title=row[3],
            content=row[4],
            caller_name=row[5],
            caller_phone=row[6],
            district=street.parent,
            street=street,
            received_at=timezone.now(),
            created_at=timezone.now(),
        )
    per_row = (time.perf_counter() - start) / BASELINE_ROWS
    naive = read + per_row * rows
    print(
        f"基线(pandas 读取 + 每行一次 ORM 保存,无流转记录):读取 {read:.1f} 秒,"
        f"保存 {per_row * 1000:.2f} 毫秒/行,推算 {naive:.1f} 秒"
    )
    print(f"倍数:jiesu 快 {naive / ours:.1f} 倍")


if __name__ == "__main__":
    main()
