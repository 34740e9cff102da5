"""`jiesu run`: migrate, load the demo office into an empty database, and serve."""

import os

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiesu.cases import search


class Command(BaseCommand):
    help = "迁移数据库、空库时载入演示数据,并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-demo", action="store_true", help="空库时不载入演示数据")

    def handle(self, *args, port, host, no_demo, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("demo", if_empty=True)
        elif not User.objects.exists():
            self.stdout.write("数据库为空:请用 `jiesu createsuperuser` 创建管理员。")
        indexed = search.index_pending(
            progress=lambda n: self.stdout.write(f"检索索引:已处理 {n} 件")
        )
        if indexed:
            self.stdout.write(f"全文检索索引已更新 {indexed} 件。")
        self.stdout.write(f"接诉即办工作平台: http://{host}:{port}/")
        call_command("runserver", f"{host}:{port}", use_reloader=False)
