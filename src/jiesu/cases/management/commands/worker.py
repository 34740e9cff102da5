"""`jiesu worker`: background upkeep: warning lamps and the search index."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from jiesu.cases import deadlines, search
from jiesu.ops import jobs as ops_jobs


class Command(BaseCommand):
    help = "后台任务:刷新工单警示灯、更新全文检索索引(每分钟一次)"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一次")
        parser.add_argument("--interval", type=int, default=60, help="间隔秒数")

    def handle(self, *args, once, interval, **options):
        while True:
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
            time.sleep(interval)
