"""`jiesu worker`: the background jobs of one machine: queued imports, warning lamps, the
search index, the daily backup, and the heartbeat /healthz reads. It lives in ops, which may
call every app; cases and intake do not import each other for it."""

import logging
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from jiesu.cases import deadlines, search
from jiesu.intake import runs as import_runs
from jiesu.ops import jobs as ops_jobs

logger = logging.getLogger(__name__)
IMPORT_POLL_SECONDS = 2  # how soon a queued import starts after its upload


class Command(BaseCommand):
    help = "后台任务:刷新工单警示灯、更新全文检索索引(每分钟一次),运行排队中的导入"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一次")
        parser.add_argument("--interval", type=int, default=60, help="间隔秒数")

    def handle(self, *args, once, interval, **options):
        if not once:
            threading.Thread(target=self.beat, name="heartbeat", daemon=True).start()
        while True:
            self.imports()
            changed = deadlines.refresh_lamps(timezone.now())
            indexed = search.index_pending()
            self.stdout.write(
                f"{timezone.localtime():%Y-%m-%d %H:%M:%S} "
                f"警示灯变化 {changed} 件,新建检索索引 {indexed} 件"
            )
            ops_jobs.heartbeat()
            ops_jobs.daily_backup_if_due(timezone.now())
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
