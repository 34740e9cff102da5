"""Times `jiesu demo` on a fresh SQLite file, against the per-step workflow path as baseline.

Usage: python bench/bench_demo.py [CASES] [--baseline N] [--months M]
Each phase runs in its own process on its own fresh database under a temporary directory.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiesu.settings"
    os.environ.setdefault("JIESU_DEBUG", "0")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def phase_demo(db_path: Path, cases: int, months: int) -> dict:
    """The command as people run it: office, people and `cases` cases in bulk."""
    _setup(db_path)
    from django.core.management import call_command

    from jiesu.cases.models import CaseEvent

    started = time.monotonic()
    call_command("demo", cases=cases, months=months, password="bench-demo")
    seconds = time.monotonic() - started
    return {"cases": cases, "seconds": seconds, "events": CaseEvent.objects.count()}


def phase_baseline(db_path: Path, cases: int, months: int) -> dict:
    """The same generator played through the per-step DatabaseRecorder."""
    _setup(db_path)
    from django.db import transaction
    from django.utils import timezone

    from jiesu.demo import office
    from jiesu.demo.build import build_cases

    with transaction.atomic():
        demo_office = office.build("bench-demo")
    started = time.monotonic()
    build_cases(demo_office, count=cases, months=months, seed=1, now=timezone.now(), bulk=False)
    return {"cases": cases, "seconds": time.monotonic() - started}


def run_phase(name: str, cases: int, months: int, workdir: Path) -> dict:
    """Run one phase in a fresh process on a fresh database; echo its output as it comes."""
    db_path = workdir / f"{name}.sqlite3"
    command = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--db",
        str(db_path),
        "--months",
        str(months),
        str(cases),
    ]
    result = None
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            if line.startswith("{"):
                result = json.loads(line)
            else:
                print(line, end="", flush=True)
    if proc.returncode or result is None:
        sys.exit(f"phase {name} failed")
    files = [p for p in workdir.iterdir() if p.name.startswith(db_path.name)]
    result["db_bytes"] = sum(p.stat().st_size for p in files)
    for p in files:
        p.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--phase", choices=["demo", "baseline"])
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.phase:
        run = phase_demo if args.phase == "demo" else phase_baseline
        print(json.dumps(run(args.db, args.cases, args.months)), flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="jiesu-bench-") as tmp:
        base = run_phase("baseline", args.baseline, args.months, Path(tmp))
        demo = run_phase("demo", args.cases, args.months, Path(tmp))
    base_rate = base["cases"] / base["seconds"]
    demo_rate = demo["cases"] / demo["seconds"]
    print(f"CPU cores: {os.cpu_count()}")
    print(
        f"per-step workflow path: {base['cases']} cases in {base['seconds']:.1f} s, "
        f"{base_rate:.0f} cases/s; {args.cases} cases would take "
        f"{args.cases / base_rate / 60:.0f} min"
    )
    print(
        f"jiesu demo (bulk): {demo['cases']} cases in {demo['seconds']:.1f} s "
        f"({demo['seconds'] / 60:.1f} min), {demo_rate:.0f} cases/s, "
        f"{demo['events']} timeline events, database {demo['db_bytes'] / 2**30:.2f} GiB"
    )
    print(f"speed-up: {demo_rate / base_rate:.0f}x")


if __name__ == "__main__":
    main()
