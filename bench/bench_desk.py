"""Hotline desk speed at scale: queue counts, queue pages and free-text search, and the
考核 pages (scores, estimate, drill-downs, applications).

    python bench/bench_desk.py --var DIR      # DIR holds jiesu.sqlite3 built by `jiesu demo`
    python bench/bench_desk.py --cases 20000  # builds a fresh demo database first

Each figure is the median of several runs, with the baseline measured in the same run:
search by plain substring scan (no index) and queue counts as one aggregate query.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["噪音", "停水", "暖气 不热", "占道经营", "华龙苑 垃圾"]
PAGES = ["/queues/received/", "/queues/overdue/", "/queues/callback/", "/cases/", "/cases/?q=噪音"]


def build(var: Path, cases: int) -> None:
    env = dict(os.environ, JIESU_VAR_DIR=str(var), JIESU_DEMO_PASSWORD="bench-only")
    jiesu = str(ROOT / ".venv" / "bin" / "jiesu")
    subprocess.run([jiesu, "migrate", "-v0"], env=env, check=True)
    subprocess.run([jiesu, "demo", "--cases", str(cases), "--months", "36"], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="folder with a demo jiesu.sqlite3")
    parser.add_argument("--cases", type=int, default=20000, help="cases to build without --var")
    args = parser.parse_args()
    var = args.var or Path(tempfile.mkdtemp(prefix="jiesu-desk-"))
    if not args.var:
        build(var, args.cases)
    os.environ["JIESU_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiesu.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db.models import Count, F
    from django.test import Client
    from django.utils import timezone

    from jiesu.cases import queues, search
    from jiesu.cases.models import Case, CaseEvent

    total, events = Case.objects.count(), CaseEvent.objects.count()
    print(f"数据:{total:,} 件工单,{events:,} 条流转记录")
    start = time.perf_counter()
    indexed = search.index_pending()
    print(f"检索索引:新建 {indexed:,} 件,用时 {time.perf_counter() - start:.1f} 秒")

    user = User.objects.get(username="zuoxi")
    now = timezone.now()
    visible = Case.objects.visible_to(user)

    def first_page(condition):
        rows = visible.filter(condition).order_by(F("current_due_at").asc(nulls_last=True), "-id")
        return list(rows.values_list("pk", flat=True)[:50]), rows.count()

    print("\n| 检索词 | 命中 | 索引 (ms) | 基线:全表扫描 (ms) |\n|---|---:|---:|---:|")
    for query in QUERIES:
        hits = first_page(search.matching(query))[1]
        fast = timed(lambda q=query: first_page(search.matching(q)))
        slow = timed(lambda q=query: first_page(search._contains_all(q.split())), runs=3)
        print(f"| {query} | {hits:,} | {fast:.0f} | {slow:.0f} |")

    def aggregate_counts():
        mine = queues.queues_for(user)
        return visible.aggregate(
            **{q.code: Count("pk", filter=queues.condition(q.code, user, now)) for q in mine}
        )

    assert aggregate_counts() == queues.counts(user, now)
    per_queue = timed(lambda: queues.counts(user, now))
    one_aggregate = timed(aggregate_counts, runs=3)
    print("\n| 队列件数(坐席员 6 个队列) | ms |\n|---|---:|")
    print(
        f"| 每个队列一次索引计数 | {per_queue:.0f} |\n| 基线:一次聚合扫描 | {one_aggregate:.0f} |"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print("\n| 页面(坐席员) | ms |\n|---|---:|")
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        print(f"| {path} | {timed(lambda p=path: client.get(p)):.0f} |")

    assessment_pages(client)


def assessment_pages(client) -> None:
    """The 考核 pages of the street as the 组长 sees them: the table with the live estimate,
    a past period with its exemption effect, drill-downs and the applications."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from jiesu.assessment import rules
    from jiesu.assessment.models import Application
    from jiesu.assessment.queries import scores
    from jiesu.org.models import Unit, UnitKind

    client.force_login(User.objects.get(username="zuzhang"))
    street = Unit.objects.get(kind=UnitKind.STREET)
    current = rules.period_of(timezone.now())
    past = rules.shift_period(current, -1)
    busiest = max(scores(past, street)["rows"], key=lambda r: r["received"])["unit"]["id"]
    drill = f"/assessment/cases/?period={past}&scope={street.pk}"
    app = Application.objects.filter(period=past).order_by("pk").first()
    pages = [
        f"/assessment/?period={current}",
        f"/assessment/?period={past}",
        f"{drill}&count=received",
        f"{drill}&count=lost_satisfaction",
        f"{drill}&count=valid&child={busiest}",
        "/assessment/applications/",
    ]
    if app is not None:
        pages.append(f"/assessment/applications/{app.pk}/")
    print(f"\n| 页面(组长,考核;上期 {past}) | ms |\n|---|---:|")
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        print(f"| {path} | {timed(lambda p=path: client.get(p)):.0f} |")


if __name__ == "__main__":
    main()
