"""The dashboard's refresh at scale: its data, its panel through the test client and over HTTP
through `jiesu serve`, against a baseline in the same run.

    python bench/dashboard.py --database DIR/jiesu.sqlite3   # a demo database (`jiesu demo`)
    python bench/dashboard.py --postgres                     # 2,000,000 cases on PostgreSQL
    python bench/dashboard.py --postgres --url URL           # a database kept by bench/scores.py

On PostgreSQL the data is bench/scores.py's (one district of 20 streets, a throw-away server
unless --url is given), the readers are made on it (the 组长 of its busiest street, the
district's 督办) and the clock is the data's own end (scores.NOW): the dashboard data, the
baseline and the panel through the test client are read at that moment (the panel's clock
is set to it); the HTTP panel, whose server reads the real clock, is left out.

The baseline counts every figure the way its link lists it: one CaseFilter query per figure
on the reader's cases (the case list's own filters), plus the same period scores. It also
checks, at this scale, that each figure equals the count of its list. The database is only
read, apart from the bench's login sessions (removed at the end); logs, the secret key and
the collected static files go to a temporary folder.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
JIESU = str(ROOT / ".venv" / "bin" / "jiesu")
READERS = ("zuzhang", "ducha")  # the street's 组长 and the district's 督办


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}(2 核)" if os.cpu_count() == 2 else f"{one:.2f}"


def figures_of(data: dict) -> list:
    """Every figure of the dashboard's data that opens a case list."""
    today, opened, period = data["today"], data["open"], data["period"]
    found = [today["total"], *today["platforms"], *today["channels"]]
    found += [*opened["lamps"], *opened["states"]]
    for span in data["trend"].values():
        found += [*span["received"], *span["closed"], span["received_total"], span["closed_total"]]
    found += [*period["categories"], *period["communities"]]
    for unit in data["units"]:
        found += [unit["red"], unit["yellow"]]
    # the 7-day trend repeats the last 7 days of the 30-day one
    return list({(f.key, f.label, tuple(sorted(f.params.items()))): f for f in found}.values())


def baseline(reach, now) -> dict:
    """The figures counted one list at a time, as their links count them."""
    from jiesu.cases.filters import CaseFilter
    from jiesu.dashboard import queries

    data = queries.dashboard(reach, now)  # which figures there are (not timed separately)
    counts = {}
    for figure in figures_of(data):
        found = CaseFilter(
            {k: str(v) for k, v in figure.params.items()}, reach.cases(), user=reach.user, now=now
        )
        assert found.is_valid(), found.errors
        counts[id(figure)] = (figure, found.qs.count())
    queries.period_scores(reach, now)
    return counts


def serve(var: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (var / "serve.log").open("w")
    server = subprocess.Popen(
        [JIESU, "serve", "--port", str(port), "--workers", "1", "--threads", "1", "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"服务未能启动:\n{(var / 'serve.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=5):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("服务 180 秒内未就绪。")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def on_postgres(args, var: Path) -> None:
    """The dashboard on bench/scores.py's PostgreSQL data, at the data's own `now`."""
    import scores as data

    with data.district_database(args.url, var, src=ROOT / "src", keep=args.keep, cases=args.cases):
        from django.contrib.auth.models import User
        from django.db.models import Count

        from jiesu.cases.models import Case
        from jiesu.org.models import Membership, Role, Unit, UnitKind

        district = Unit.objects.get(kind=UnitKind.DISTRICT)
        busiest = Case.objects.values("street_id").annotate(n=Count("pk")).order_by("-n").first()
        street = Unit.objects.get(pk=busiest["street_id"])
        for username, role, unit in zip(
            READERS, (Role.LEADER, Role.SUPERVISOR), (street, district), strict=True
        ):
            user, _ = User.objects.get_or_create(username=username)
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
        measure(args, None, data.NOW)


def measure(args, env: dict | None, now=None) -> None:
    """Each reader's dashboard data, its baseline and its panel; over HTTP too with `env`
    (the environment of a `jiesu serve`). `now`: a fixed clock (else the real one)."""
    from unittest import mock

    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.utils import timezone

    from jiesu.cases.models import Case
    from jiesu.core.scoping import unscoped
    from jiesu.dashboard import queries
    from jiesu.org.access import Reach

    clock = (lambda: now) if now is not None else timezone.now
    total = unscoped(Case.objects, why="the bench's size").count()
    print(f"数据:{total:,} 件工单;时刻 {clock():%Y-%m-%d %H:%M};机器负载(1/5/15 分钟):{load()}")
    sessions = []
    print(
        "\n| 读者 | 看板数据 (ms) | 基线:每个数字一次列表计数 (ms) | 数字个数 "
        "| 面板 测试客户端 (ms) | 面板 HTTP jiesu serve (ms) |\n|---|---:|---:|---:|---:|---:|"
    )
    server, url = serve(var_of(env), env) if env else (None, None)
    try:
        for username in READERS:
            user = User.objects.get(username=username)
            reach = Reach(user)
            data = queries.dashboard(reach, clock())
            counted = baseline(reach, clock())
            wrong = [(f.label, f.count, n) for f, n in counted.values() if f.count != n]
            assert not wrong, wrong  # each figure equals its list's count at this scale
            fast = timed(lambda r=reach: queries.dashboard(r, clock()), runs=args.runs)
            slow = timed(lambda r=reach: baseline(r, clock()), runs=1)
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            sessions.append(client.cookies["sessionid"].value)
            with mock.patch("jiesu.dashboard.views.timezone.now", clock):
                assert client.get("/dashboard/panel/").status_code == 200
                page = timed(lambda c=client: c.get("/dashboard/panel/"), runs=args.runs)
            http = "—"
            if server:
                request = urllib.request.Request(
                    url + "/dashboard/panel/",
                    headers={"Cookie": f"sessionid={sessions[-1]}", "HX-Request": "true"},
                )

                def over_http(request=request):
                    with urllib.request.urlopen(request, timeout=60) as response:
                        assert response.status == 200
                        assert b'data-section="today"' in response.read()

                http = f"{timed(over_http, runs=args.runs):.0f}"
            print(
                f"| {username} | {fast:.0f} | {slow:.0f} | {len(counted)} | {page:.0f} | {http} |"
            )
            del data
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
        Session.objects.filter(session_key__in=sessions).delete()
    print(f"\n机器负载(结束时):{load()}")


def var_of(env: dict) -> Path:
    return Path(env["JIESU_VAR_DIR"])


def main() -> None:
    parser = argparse.ArgumentParser()
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database", type=Path, help="a demo jiesu.sqlite3")
    where.add_argument("--postgres", action="store_true", help="bench/scores.py's data")
    parser.add_argument("--url", help="PostgreSQL: a database kept by bench/scores.py --keep")
    parser.add_argument("--cases", type=int, default=2_000_000, help="PostgreSQL: cases to make")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: leave the server")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="jiesu-dashboard-"))
    try:
        if args.postgres:
            on_postgres(args, var)
        else:
            on_sqlite(args, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def on_sqlite(args, var: Path) -> None:
    env = dict(
        os.environ,
        JIESU_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{args.database.resolve()}",
        DJANGO_SETTINGS_MODULE="jiesu.settings",
    )
    os.environ.update(env)
    import django

    django.setup()
    measure(args, env)


if __name__ == "__main__":
    main()
