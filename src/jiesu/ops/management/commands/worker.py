"""`jiesu worker`: the background jobs of one machine: queued imports, warning lamps, the
search index, scheduled and asked-for reports (in a thread of their own, so a long ledger
never holds up an import), the daily backup, and the heartbeat /healthz reads.
`--once --now 2026-12-01T12:00:00+08:00` runs one pass as if at that time. It lives in ops, which may
call every app; cases and intake do not import each other for it."""

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from jiesu.cases import deadlines, search
from jiesu.intake import runs as import_runs
from jiesu.ops import jobs as ops_jobs
from jiesu.reports import jobs as report_jobs
from jiesu.supervision import chase, deliveries, handover, orders

logger = logging.getLogger(__name__)
IMPORT_POLL_SECONDS = 2  # how soon a queued import starts after its upload
REPORT_POLL_SECONDS = 3  # how soon a report asked for on the page starts


class Command(BaseCommand):
    help = "后台任务:刷新工单警示灯、更新全文检索索引(每分钟一次),运行排队中的导入"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一次")
        parser.add_argument("--interval", type=int, default=60, help="间隔秒数")
        parser.add_argument(
            "--now", help="按此时间运行一次(须带 --once),如 2026-12-01T12:00:00+08:00"
        )

    def handle(self, *args, once, interval, now=None, **options):
        if now is not None:
            if not once:
                raise CommandError("--now 须与 --once 一起使用。")
            try:
                now = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(
                    f"时间“{now}”格式不对,应如 2026-12-01T12:00:00+08:00。"
                ) from None
            if now.tzinfo is None:
                now = timezone.make_aware(now)
        if not once:
            threading.Thread(target=self.beat, name="heartbeat", daemon=True).start()
            threading.Thread(target=self.reports_loop, name="reports", daemon=True).start()
        while True:
            self.imports()
            if once:
                self.reports(now)
            changed = deadlines.refresh_lamps(now or timezone.now())
            self.chase(now)
            self.handover(now)
            self.send_notifications(now)
            indexed = search.index_pending()
            self.stdout.write(
                f"{timezone.localtime():%Y-%m-%d %H:%M:%S} "
                f"警示灯变化 {changed} 件,新建检索索引 {indexed} 件"
            )
            ops_jobs.heartbeat()
            ops_jobs.daily_backup_if_due(now or timezone.now())
            if once:
                return
            self.wait_for_imports(interval)

    def beat(self):
        """The heartbeat from its own thread, so a long import never reads as a dead worker."""
        while True:
            try:
                ops_jobs.heartbeat()
            except Exception:
                logger.exception("写入后台任务心跳出错")
            finally:
                connection.close()  # this thread's own connection, never held between beats
            time.sleep(settings.JIESU_WORKER_HEARTBEAT_SECONDS)

    def job(self, now, failed: str, run, said: str) -> None:
        """One job of the pass: `run()` returns its counts; a line is written when it did
        anything, and a failure is logged (in Chinese) and never stops the loop."""
        try:
            done = run()
        except Exception:
            logger.exception(failed)
            return
        if any(done.values()):
            self.stdout.write(f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} {said.format(**done)}")

    def handover(self, now=None) -> None:
        """交接单 at each shift change (supervision.handover)."""
        self.job(
            now, "生成交接单出错", lambda: {"made": handover.prepare(now)}, "生成交接单 {made} 份"
        )

    def chase(self, now=None) -> None:
        """催办、临期提醒、超期升级、每日汇总 (supervision.chase), 督办 answers chased."""
        self.job(
            now,
            "自动催办任务出错",
            lambda: {**chase.run(now), "orders": orders.chase_answers(now)},
            "自动催办 {urge} 件,临期提醒 {due_soon} 件,超期升级 {overdue} 件,"
            "每日汇总 {digest} 条,督办催答复 {orders} 个单位",
        )

    def send_notifications(self, now=None) -> None:
        """站外通知 (supervision.deliveries): e-mail, SMS and the group robot, with retries."""
        self.job(
            now,
            "发送站外通知出错",
            lambda: deliveries.send_due(now),
            "站外通知发送 {sent} 条,待重试 {retry} 条,失败 {failed} 条",
        )

    def reports(self, now=None) -> None:
        """Reports (报告): fail those whose worker stopped, queue the scheduled ones due,
        build the queued ones, delete old ledger files."""
        self.job(
            now,
            "后台报告任务出错",
            lambda: {
                "stalled": report_jobs.fail_stalled(now),
                "queued": report_jobs.schedule(now),
                "built": report_jobs.run_queued(now),
                "removed": report_jobs.remove_old_ledgers(now),
            },
            "定时报告排队 {queued} 个,生成 {built} 个,中断 {stalled} 个,删除过期台账文件 {removed} 个",
        )

    def reports_loop(self):
        """The reports' own thread: a pass at once, then whenever something is queued, and
        the schedule at least every minute."""
        last = 0.0
        while True:
            try:
                due = time.monotonic() - last >= 60 or report_jobs.has_queued()
            except Exception:
                logger.exception("查询排队中的报告出错")
                due = False
            if due:
                self.reports()
                last = time.monotonic()
            connection.close()
            time.sleep(REPORT_POLL_SECONDS)

    def imports(self):
        """Imports (导入): fail runs whose process died, run the queued ones, remove old
        uploads. A failing import ends on its run; nothing here stops the loop."""
        try:
            dead = import_runs.fail_dead_runs()
            done = import_runs.run_queued()
            removed = import_runs.remove_old_uploads()
        except Exception:
            logger.exception("后台导入任务出错")
            return
        if dead or done or removed:
            self.stdout.write(
                f"{timezone.localtime():%Y-%m-%d %H:%M:%S} "
                f"导入 {done} 个,标记中断 {dead} 个,删除过期上传文件 {removed} 个"
            )

    def wait_for_imports(self, interval):
        """Sleeps until the next round, starting a queued import within seconds."""
        end = time.monotonic() + interval
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(IMPORT_POLL_SECONDS, left))
            try:
                queued = import_runs.has_queued()
            except Exception:
                logger.exception("查询排队中的导入出错")
                continue
            if queued:
                self.imports()
