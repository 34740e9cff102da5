"""`jiesu worker`: background upkeep; for now it keeps the stored warning lamps current."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from jiesu.cases import deadlines


class Command(BaseCommand):
    help = "后台任务:刷新工单警示灯(每分钟一次)"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一次")
        parser.add_argument("--interval", type=int, default=60, help="间隔秒数")

    def handle(self, *args, once, interval, **options):
        while True:
            changed = deadlines.refresh_lamps(timezone.now())
            self.stdout.write(
                f"{timezone.localtime():%Y-%m-%d %H:%M:%S} 警示灯已刷新:{changed} 件变化"
            )
            if once:
                return
            time.sleep(interval)
