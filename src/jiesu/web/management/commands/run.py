"""`jiesu run`: migrate, load the demo office into an empty database, and serve it with the
production server and the worker beside it (`--dev`: Django's runserver instead)."""

import os
import sys

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiesu.cases import search
from jiesu.web.management.commands import serve


class Command(BaseCommand):
    help = "迁移数据库、空库时载入演示数据,并启动服务(--dev:开发用 runserver)"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-demo", action="store_true", help="空库时不载入演示数据")
        parser.add_argument(
            "--dev", action="store_true", help="用 Django 开发服务器 runserver(仅供开发)"
        )

    def handle(self, *args, port, host, no_demo, dev, **options):
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
        if dev:
            web = [sys.executable, "-m", "jiesu.cli", "runserver", f"{host}:{port}", "--noreload"]
        else:
            serve.collect_static()
            workers = serve.default_workers()
            web = serve.gunicorn_command(
                host=host, port=port, workers=workers, threads=serve.THREADS
            )
        self.stdout.write(f"接诉即办工作平台: http://{host}:{port}/{'(开发服务器)' if dev else ''}")
        self.stdout.flush()
        code = serve.serve(web, worker=True, out=self.stdout, manifest=not dev)
        if code:
            sys.exit(code)
