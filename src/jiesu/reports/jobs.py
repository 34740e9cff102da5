"""Reports in the background (报告的定时生成与后台生成).

- `schedule(now)`: the latest 日报, 周报 and 月报 due at `now` (JIESU_REPORT_SCHEDULE:
  the 日报 daily at 12:00, the 周报 on Monday 09:00, the 月报 on the 19th at 09:00) become
  queued runs for every active district and street. A run's `schedule_key` (kind, window,
  unit) is unique, so each is made once however many workers ask, and a worker that was
  down builds the latest one it missed when it comes back.
- `run_queued(now)`: builds the queued runs, oldest first. A worker takes a run by a
  conditional UPDATE from 排队中 to 生成中; the one that loses it moves on.
- A report builds all its formats from one computation of its figures; a ledger writes
  its rows with its progress on the run (the page shows it).
- `fail_stalled(now)`: a run whose worker stopped beating is failed with a message, and
  `remove_old_ledgers(now)` deletes ledger files after JIESU_LEDGER_KEEP_DAYS (they may
  hold personal data); reports are the archive and stay.
"""

import datetime as dt
import logging
import os
import re
import socket
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiesu.audit import log as audit_log
from jiesu.cases.errors import WorkflowError
from jiesu.core.localtime import LOCAL
from jiesu.org.access import Reach
from jiesu.org.models import Unit, UnitKind
from jiesu.reports import documents, ledger_query, ledgers, windows
from jiesu.reports.models import ReportRun, ReportTemplate, RunStatus

logger = logging.getLogger(__name__)

SCHEDULED = ("daily", "weekly", "monthly")
PROGRESS_EVERY = 5_000  # ledger rows between two progress updates
STALLED = dt.timedelta(minutes=10)  # no heartbeat for this long: the worker is gone
FAILED_TEXT = "生成失败:系统内部错误,已记入日志;请稍后重试或联系管理员。"


# --- when ---------------------------------------------------------------------------------


def parse_schedule(kind: str, text: str) -> tuple[int | None, dt.time]:
    """ "12:00" (daily), "1 09:00" (weekly: ISO weekday, 1 = Monday) or "19 09:00"
    (monthly: day of month) as (day or None, time). A bad entry raises ValueError."""
    parts = text.split()
    try:
        clock = dt.time.fromisoformat(parts[-1])
        day = int(parts[0]) if len(parts) == 2 else None
    except (ValueError, IndexError):
        raise ValueError(f"报告定时“{kind}: {text}”格式不对。") from None
    wanted = {"daily": 1, "weekly": 2, "monthly": 2}[kind]
    if len(parts) != wanted or (kind == "weekly" and not 1 <= day <= 7):
        raise ValueError(f"报告定时“{kind}: {text}”格式不对。")
    if kind == "monthly" and not 1 <= day <= 28:
        raise ValueError(f"报告定时“{kind}: {text}”:日期须在1至28日之间。")
    return day, clock


def last_due(kind: str, now: dt.datetime) -> dt.datetime:
    """The latest scheduled moment of `kind` at or before `now` (Beijing time)."""
    day, clock = parse_schedule(kind, settings.JIESU_REPORT_SCHEDULE[kind])
    local = now.astimezone(LOCAL)
    moment = dt.datetime.combine(local.date(), clock, tzinfo=LOCAL)
    if kind == "daily":
        return moment if moment <= local else moment - dt.timedelta(days=1)
    if kind == "weekly":
        moment -= dt.timedelta(days=(local.isoweekday() - day) % 7)
        return moment if moment <= local else moment - dt.timedelta(days=7)
    moment = moment.replace(day=day)
    if moment > local:
        first = moment.replace(day=1) - dt.timedelta(days=1)
        moment = moment.replace(year=first.year, month=first.month)
    return moment


def scheduled_units():
    return Unit.objects.filter(active=True, kind__in=[UnitKind.DISTRICT, UnitKind.STREET])


def schedule(now: dt.datetime | None = None) -> int:
    """Queue the latest due report of each scheduled kind for each district and street;
    returns how many runs were made (0 when each exists already)."""
    now = now or timezone.now()
    made = 0
    for kind in SCHEDULED:
        if kind not in settings.JIESU_REPORT_SCHEDULE:
            continue
        due = last_due(kind, now)
        win = windows.window(kind, now=due)
        for unit in scheduled_units():
            _, created = ReportRun.objects.get_or_create(
                schedule_key=f"{kind}:{win.name}:{unit.pk}",
                defaults={
                    "kind": kind,
                    "title": f"{unit.name}{windows.KINDS[kind]}({win.name})",
                    "unit": unit,
                    "window_name": win.name,
                    "params": _window_params(win),
                    "formats": list(settings.JIESU_REPORT_FORMATS),
                },
            )
            made += created
    return made


def _window_params(win: windows.Window) -> dict:
    if win.kind in ("monthly", "annual"):
        return {"period": win.name}
    if win.kind == "special":
        return {"start": str(win.start.astimezone(LOCAL).date()), "end": str(win.last_day)}
    if win.kind == "meeting":  # a meeting on the Monday after the week looks back on it
        return {"date": str(win.end.astimezone(LOCAL).date())}
    return {"date": str(win.last_day if win.kind == "daily" else win.start.date())}


# --- asking -----------------------------------------------------------------------------


def order_report(
    kind: str, *, reach, unit: Unit, formats: list[str], now=None, **given
) -> ReportRun:
    """Queue a report asked for on the page; the window is checked now, so a bad date is
    refused at once (ValueError) rather than by a failed run. Dates may be written
    YYYY-MM-DD."""
    given = {
        k: (dt.date.fromisoformat(v) if k != "period" and isinstance(v, str) else v)
        for k, v in given.items()
    }
    win = windows.window(kind, now=now, **given)
    return ReportRun.objects.create(
        kind=kind,
        title=f"{unit.name}{windows.KINDS[kind]}({win.name})",
        unit=unit,
        window_name=win.name,
        params={"period": given.get("period"), **_window_params(win)},
        formats=formats,
        requested_by=reach.user,
    )


def order_ledger(
    *, reach, unit: Unit, title: str, params: dict, total: int, reveal: bool
) -> ReportRun:
    """Queue a ledger too large to write during a request (ledger_query's parameters)."""
    return ReportRun.objects.create(
        kind="ledger",
        title=title,
        unit=unit,
        params=params,
        formats=["xlsx"],
        requested_by=reach.user,
        reveal=reveal,
        total_rows=total,
    )


def readable(reach):
    """The runs a reader may see: reports of the units their data roles reach, and the
    ledgers they asked for themselves (a ledger is the asker's: it may hold personal data
    revealed to them)."""
    reports = ReportRun.objects.visible_to(reach).exclude(kind="ledger")
    own = ReportRun.objects.filter(kind="ledger", requested_by=reach.user)
    return (reports | own).select_related("unit", "requested_by", "template")


# --- building -----------------------------------------------------------------------------


def claim(run: ReportRun, now: dt.datetime) -> bool:
    taken = ReportRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=timezone.now(),
        worker_host=socket.gethostname()[:255],
        worker_pid=os.getpid(),
    )
    return taken == 1


def run_queued(now: dt.datetime | None = None, *, limit: int | None = None) -> int:
    """Build queued runs, oldest first, until none is left (or `limit`); returns how many
    this worker built. `now` is the clock the reports are built at (the worker's --now)."""
    built = 0
    while limit is None or built < limit:
        run = ReportRun.objects.filter(status=RunStatus.QUEUED).order_by("created_at", "id").first()
        if run is None:
            break
        if not claim(run, now or timezone.now()):
            continue
        build(run, now=now)
        built += 1
    return built


def has_queued() -> bool:
    return ReportRun.objects.filter(status=RunStatus.QUEUED).exists()


def build(run: ReportRun, *, now: dt.datetime | None = None) -> None:
    """Build a claimed run; it ends 已完成 with its files or 失败 with a Chinese message."""
    run.refresh_from_db()
    now = now or timezone.now()
    try:
        files = _ledger(run, now) if run.kind == "ledger" else _report(run, now)
    except (ValueError, WorkflowError) as err:
        _finish(run, RunStatus.FAILED, message=getattr(err, "message", None) or str(err))
    except Exception:
        logger.exception("报告生成失败:%s", run.pk)
        _finish(run, RunStatus.FAILED, message=FAILED_TEXT)
    else:
        _finish(run, RunStatus.DONE, files=files)


def _finish(run: ReportRun, status: str, *, message: str = "", files: dict | None = None):
    ReportRun.objects.filter(pk=run.pk).update(
        status=status, message=message[:2000], files=files or {}, finished_at=timezone.now()
    )


def _reach(run: ReportRun, now):
    return Reach(run.requested_by, at=now) if run.requested_by_id else None


def _report(run: ReportRun, now) -> dict:
    reach = _reach(run, now)
    p = run.params
    figures = documents.figures_for(
        run.kind,
        reach=reach,
        period=p.get("period"),
        date=p.get("date"),
        start=p.get("start"),
        end=p.get("end"),
        unit=run.unit_id,
        now=now,
    )
    template = current_template(run.kind)
    if template is not None:
        ReportRun.objects.filter(pk=run.pk).update(template=template)
    files = {}
    for fmt in run.formats:
        path = _path(run, fmt)
        documents.write(
            figures,
            fmt,
            settings.MEDIA_ROOT / path,
            template=(settings.MEDIA_ROOT / template.file) if template else None,
        )
        files[fmt] = str(path)
        _beat(run)
    return files


def _ledger(run: ReportRun, now) -> dict:
    reach = _reach(run, now)
    if reach is None:
        raise ValueError("台账须由具体用户申请。")
    p = run.params
    asked_at = dt.datetime.fromisoformat(p["asked_at"]) if p.get("asked_at") else now
    if p.get("source") == "list":
        ledger, what, filters = ledger_query.listed(reach, p["query"], now=asked_at)
    else:
        ledger, filters = ledger_query.chosen(
            reach,
            kind=p.get("kind", "all"),
            period=p.get("period", ""),
            received_from=_day(p.get("received_from")),
            received_to=_day(p.get("received_to")),
            unit=p.get("unit"),
            reveal=bool(p.get("reveal")),
        )
        what = ledger.title
    ledger.notes = [
        ("台账", ledger.title),
        ("导出人", reach.user.get_username()),
        ("导出时间", f"{asked_at.astimezone(LOCAL):%Y-%m-%d %H:%M}"),
        ("条件", "; ".join(f"{k}={v}" for k, v in filters.items()) or "全部"),
    ]
    total = ledger.count()
    ReportRun.objects.filter(pk=run.pk).update(total_rows=total, done_rows=0)
    path = _path(run, "xlsx")
    target = settings.MEDIA_ROOT / path
    target.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int) -> None:
        ReportRun.objects.filter(pk=run.pk).update(done_rows=done, heartbeat_at=timezone.now())

    written = ledgers.write(ledger, target, progress=progress, every=PROGRESS_EVERY)
    ReportRun.objects.filter(pk=run.pk).update(done_rows=written, total_rows=written)
    if ledger.reveal:
        filters["reveal"] = True
    audit_log.record(
        "export",
        user=reach.user,
        what=f"{what}(后台生成)",
        count=written,
        filters={k: v for k, v in filters.items() if v},
    )
    return {"xlsx": str(path)}


def _day(text):
    return dt.date.fromisoformat(text) if text else None


def _beat(run: ReportRun) -> None:
    ReportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def _path(run: ReportRun, fmt: str) -> Path:
    """Where a run's file goes, inside MEDIA_ROOT: reports/2026/11/<id>-<title>.<fmt>."""
    made = run.created_at.astimezone(LOCAL)
    name = re.sub(r"[^\w\u4e00-\u9fff()()~-]+", "_", run.title)[:80]
    return Path("reports") / f"{made:%Y}" / f"{made:%m}" / f"{run.pk}-{name}.{fmt}"


def file_of(run: ReportRun, fmt: str) -> Path | None:
    """A run's file of `fmt` if it is still there."""
    relative = run.files.get(fmt)
    if not relative:
        return None
    path = (settings.MEDIA_ROOT / relative).resolve()
    if settings.MEDIA_ROOT.resolve() not in path.parents or not path.exists():
        return None
    return path


def download_name(run: ReportRun, fmt: str) -> str:
    return f"{run.title}.{fmt}"


# --- upkeep -------------------------------------------------------------------------------


def fail_stalled(now: dt.datetime | None = None) -> int:
    """Fail runs whose worker stopped beating (it was stopped or died mid-build)."""
    now = now or timezone.now()
    return ReportRun.objects.filter(
        status=RunStatus.RUNNING, heartbeat_at__lt=timezone.now() - STALLED
    ).update(
        status=RunStatus.FAILED,
        message="生成中断:后台任务已停止;请重新生成。",
        finished_at=timezone.now(),
    )


def remove_old_ledgers(now: dt.datetime | None = None) -> int:
    """Delete ledger files older than JIESU_LEDGER_KEEP_DAYS; the run stays, fileless."""
    now = now or timezone.now()
    old = ReportRun.objects.filter(
        kind="ledger",
        status=RunStatus.DONE,
        finished_at__lt=now - dt.timedelta(days=settings.JIESU_LEDGER_KEEP_DAYS),
    ).exclude(files={})
    removed = 0
    for run in old:
        for fmt in run.files:
            path = file_of(run, fmt)
            if path is not None:
                path.unlink()
        removed += ReportRun.objects.filter(pk=run.pk).update(
            files={}, message="文件已按保存期限删除。"
        )
    return removed


# --- templates ----------------------------------------------------------------------------


def current_template(kind: str) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(kind=kind, current=True).first()


@transaction.atomic
def make_current(template: ReportTemplate | None, kind: str) -> None:
    """Use `template` for its kind from now on (None: the shipped default)."""
    ReportTemplate.objects.filter(kind=kind, current=True).update(current=False)
    if template is not None:
        ReportTemplate.objects.filter(pk=template.pk).update(current=True)


def next_version(kind: str) -> int:
    last = ReportTemplate.objects.filter(kind=kind).order_by("-version").first()
    return (last.version if last else 0) + 1
