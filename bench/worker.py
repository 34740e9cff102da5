"""The worker's pass at scale (issue 13: 1,000,000 cases, 50,000 open, a pass ≤ 5 s), against a
naive per-case loop in the same run.

    python bench/worker.py --database FILE --work DIR   # FILE: a 1,000,000-case demo database

FILE is never changed: it is copied once to DIR/prepared.sqlite3, migrated, and prepared:
the newest closed cases are reopened as dispatched until OPEN cases are open, their dispatch
spread over the last 30 days before NOW and their due time 3 to 15 days after it, and every
chasing step that came due more than RESTART minutes before NOW is marked taken (a worker
that ran until RESTART minutes ago). Each run copies the prepared file to DIR/run.sqlite3
and measures there at NOW: (a) the first chase.run (the steps of the last RESTART minutes and
the day's digest), (b) a second one in the same minute (nothing to do: the cost of every
minute), (c) the whole `worker --once` without reports or backup, and the baseline: every
open dispatched case read into Python, each one's marks read and its nodes and due time
checked case by case. The baseline must find exactly the cases chase.run's queries find.
"""

import argparse
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
JIESU = str(ROOT / ".venv" / "bin" / "jiesu")
NOW = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # digest time
OPEN = 50_000
RESTART = 10  # minutes since the last worker pass before NOW
SQL_TIME = "%Y-%m-%d %H:%M:%S"


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def prepare(source: Path, work: Path) -> Path:
    """DIR/run.sqlite3, a copy of the prepared database (prepared once, then reused)."""
    prepared, run = work / "prepared.sqlite3", work / "run.sqlite3"
    os.environ["JIESU_VAR_DIR"] = str(work)
    os.environ["DATABASE_URL"] = f"sqlite:///{run}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiesu.settings"
    if prepared.exists():
        shutil.copyfile(prepared, run)
        import django

        django.setup()
        return run
    shutil.copyfile(source, run)
    start = time.perf_counter()
    subprocess.run([JIESU, "migrate", "-v0"], env=os.environ, check=True)
    print(f"迁移:{time.perf_counter() - start:.0f} 秒")
    import django

    django.setup()
    from django.db import connection

    from jiesu.cases import deadlines

    start = time.perf_counter()
    reopen()
    mark_taken()
    deadlines.refresh_lamps(NOW)
    connection.close()
    print(f"准备数据:{time.perf_counter() - start:.0f} 秒")
    shutil.copyfile(run, prepared)
    return run


def reopen() -> None:
    """The newest closed cases reopened as dispatched, spread over 30 days before NOW."""
    from django.db import connection

    from jiesu.cases import deadlines
    from jiesu.cases.models import Case, State

    share = float(deadlines.policy_on(NOW.date()).due_soon_share)
    missing = OPEN - Case.objects.filter(state=State.DISPATCHED).count()
    now = NOW.astimezone(dt.UTC).strftime(SQL_TIME)
    with connection.cursor() as cursor:
        # (id * a prime) mod a span: a deterministic spread over the seconds of the span
        cursor.execute(
            f"""UPDATE cases_case SET state = 'dispatched', closed_at = NULL,
                replied_at = NULL, awaiting_callback_at = NULL,
                dispatched_at = datetime(%s, '-' || ((id * 7919) % 2592000) || ' seconds')
            WHERE id IN (SELECT id FROM cases_case WHERE state = 'closed'
                AND lead_unit_id IS NOT NULL ORDER BY id DESC LIMIT {max(missing, 0)})""",
            [now],
        )
        cursor.execute(
            """UPDATE cases_case SET
                current_due_at = datetime(dispatched_at, '+' || (259200 + (id * 104729) % 1036800)
                    || ' seconds')
            WHERE state = 'dispatched' AND dispatched_at >= datetime(%s, '-30 days')""",
            [now],
        )
        # the clock a dispatched case keeps (deadlines.clock_fields): received to due_at
        cursor.execute(
            """UPDATE cases_case SET
                received_at = datetime(dispatched_at, '-' || ((id * 31) % 7200) || ' seconds'),
                due_at = current_due_at, unit_due_at = current_due_at
            WHERE state = 'dispatched' AND dispatched_at >= datetime(%s, '-30 days')""",
            [now],
        )
        cursor.execute(
            """UPDATE cases_case SET current_stage_start = received_at,
                current_warn_at = datetime(julianday(received_at)
                    + (julianday(current_due_at) - julianday(received_at)) * %s)
            WHERE state = 'dispatched' AND dispatched_at >= datetime(%s, '-30 days')""",
            [share, now],
        )


def expected(now: dt.datetime, marks: set) -> dict:
    """The baseline: every open dispatched case in Python, checked one by one."""
    from jiesu.cases.models import Case, State
    from jiesu.supervision import chase
    from jiesu.supervision.models import ChaseMark, Kind

    rule = chase.rule_at(now)
    back = dt.timedelta(hours=rule.lookback_hours)
    ahead = dt.timedelta(hours=rule.remind_hours)
    nodes = chase.urge_nodes(now)
    found = {"urge": set(), "due_soon": set(), "overdue": set()}
    for case in Case.objects.filter(state=State.DISPATCHED).iterator(chunk_size=2000):
        if marks is None:  # per case, the naive way
            taken = set(ChaseMark.objects.filter(case=case).values_list("kind", "node", "since"))
        else:
            taken = marks.get(case.pk, set())
        if case.dispatched_at:
            for hours in nodes:
                node = dt.timedelta(hours=hours)
                if (
                    now - node - back < case.dispatched_at <= now - node
                    and (Kind.URGE, hours, case.dispatched_at) not in taken
                ):
                    found["urge"].add((case.pk, hours))
        due = case.current_due_at
        if due is None:
            continue
        soon = rule.remind_hours and now < due <= now + ahead
        if soon and (Kind.DUE_SOON, rule.remind_hours, due) not in taken:
            found["due_soon"].add((case.pk, rule.remind_hours))
        if now - back < due <= now and (Kind.OVERDUE, 0, due) not in taken:
            found["overdue"].add((case.pk, 0))
    return found


def mark_taken() -> None:
    """The steps a worker running until RESTART minutes before NOW would have taken."""
    from jiesu.supervision.models import ChaseMark

    before = NOW - dt.timedelta(minutes=RESTART)
    found = expected(before, marks={})
    from jiesu.cases.models import Case

    cases = Case.objects.in_bulk(
        {pk for steps in found.values() for pk, _ in steps}, field_name="pk"
    )
    rows = []
    for kind, steps in found.items():
        for pk, node in steps:
            case = cases[pk]
            since = case.dispatched_at if kind == "urge" else case.current_due_at
            rows.append(ChaseMark(case_id=pk, kind=kind, node=node, since=since, at=before))
    ChaseMark.objects.bulk_create(rows, batch_size=2000)
    print(f"已标记为此前完成的步骤:{len(rows):,} 个")


def to_take(now: dt.datetime) -> dict:
    """What chase.run's own queries find (the same querysets, read without acting)."""
    import itertools

    from jiesu.supervision import chase
    from jiesu.supervision.models import Kind

    rule = chase.rule_at(now)
    back = dt.timedelta(hours=rule.lookback_hours)
    found = {"urge": set(), "due_soon": set(), "overdue": set()}
    for hours in chase.urge_nodes(now):
        node = dt.timedelta(hours=hours)
        due = chase._dispatched().filter(
            dispatched_at__lte=now - node, dispatched_at__gt=now - node - back
        )
        marked = chase._unmarked(due, Kind.URGE, hours, "dispatched_at")
        found["urge"].update(zip(marked.values_list("pk", flat=True), itertools.repeat(hours)))
    ahead = dt.timedelta(hours=rule.remind_hours)
    soon = chase._dispatched().filter(current_due_at__gt=now, current_due_at__lte=now + ahead)
    soon = chase._unmarked(soon, Kind.DUE_SOON, rule.remind_hours, "current_due_at")
    found["due_soon"] = {(pk, rule.remind_hours) for pk in soon.values_list("pk", flat=True)}
    late = chase._dispatched().filter(current_due_at__lte=now, current_due_at__gt=now - back)
    late = chase._unmarked(late, Kind.OVERDUE, 0, "current_due_at")
    found["overdue"] = {(pk, 0) for pk in late.values_list("pk", flat=True)}
    return found


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", type=Path, required=True, help="百万级演示数据库(只读)")
    parser.add_argument("--work", type=Path, required=True, help="工作目录(约 2 倍数据库大小)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    run = prepare(args.database, args.work)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from jiesu.cases.models import Case, State
    from jiesu.supervision import chase
    from jiesu.supervision.models import ChaseMark

    settings.JIESU_REPORT_SCHEDULE = {}
    settings.JIESU_BACKUP_HOUR = 24
    total = Case.objects.count()
    opened = Case.objects.filter(state=State.DISPATCHED).count()
    print(
        f"数据:{total:,} 件工单,其中已派单在办 {opened:,} 件;已有标记 "
        f"{ChaseMark.objects.count():,} 个;时间 {NOW.isoformat()}"
    )
    print(f"负载(开始):{load()}")

    queried, query_s = seconds(lambda: to_take(NOW))
    naive, naive_s = seconds(lambda: expected(NOW, marks=None))
    for kind in queried:
        assert queried[kind] == naive[kind], (kind, len(queried[kind]), len(naive[kind]))
    counts = {kind: len(steps) for kind, steps in queried.items()}
    print(f"待办步骤(两种方法一致):{counts}")
    print(
        f"基线 逐件检查 {opened:,} 件在办工单:{naive_s:.2f} 秒;chase 的查询(只读):{query_s:.2f} 秒"
    )

    first, first_s = seconds(lambda: chase.run(NOW))
    print(f"(a) 首次 chase.run:{first},{first_s:.2f} 秒")
    for kind, count in counts.items():
        assert first[kind] == count, (kind, first[kind], count)
    second, second_s = seconds(lambda: chase.run(NOW))
    print(f"(b) 同一分钟再次 chase.run:{second},{second_s:.2f} 秒")
    assert not any(second.values()), second
    after = NOW + dt.timedelta(minutes=1)
    _, next_s = seconds(lambda: chase.run(after))
    print(f"    下一分钟 chase.run:{next_s:.2f} 秒")
    later = NOW + dt.timedelta(minutes=2)
    _, worker_s = seconds(
        lambda: call_command("worker", once=True, now=later.isoformat(), stdout=io.StringIO())
    )
    print(f"(c) 整个 worker --once(无报告、无备份):{worker_s:.2f} 秒")
    _, again_s = seconds(
        lambda: call_command("worker", once=True, now=later.isoformat(), stdout=io.StringIO())
    )
    print(f"    同一分钟再次 worker --once:{again_s:.2f} 秒")
    from jiesu.cases import deadlines, search
    from jiesu.intake import runs
    from jiesu.supervision import deliveries, handover, orders

    parts = {
        "导入": runs.run_queued,
        "警示灯 refresh_lamps": lambda: deadlines.refresh_lamps(later),
        "督办催答复 chase_answers": lambda: orders.chase_answers(later),
        "交接单 handover.prepare": lambda: handover.prepare(later),
        "站外通知 send_due": lambda: deliveries.send_due(later),
        "检索索引 index_pending": search.index_pending,
    }
    for name, part in parts.items():
        print(f"    其中 {name}:{seconds(part)[1]:.2f} 秒")
    print(f"负载(结束):{load()}")
    connection.close()
    run.unlink()


if __name__ == "__main__":
    main()
