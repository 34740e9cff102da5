"""`jiesu serve`: the production web server (gunicorn) with the background worker beside it.

The command supervises two child processes: gunicorn and `jiesu worker` (restarted with
back-off when it dies). SIGTERM or SIGINT stops both: gunicorn finishes the requests in
flight first. Migrations are the deployment's job (`jiesu migrate`); serve refuses to start
while any is pending.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

THREADS = 4
MAX_WORKERS = 12
TIMEOUT = 120  # seconds a request may run before its worker is restarted (large exports)
GRACEFUL = 30  # seconds gunicorn gives requests in flight on SIGTERM
WORKER_STOP = 10  # seconds `jiesu worker` gets on SIGTERM before SIGKILL
BACKOFF_MAX = 60  # longest wait before restarting a worker that keeps dying
ACCESS_LOG_BYTES = 10 * 1024 * 1024
ACCESS_LOG_KEEP = 5
# The path without its query string: Open311 clients may send api_key there.
ACCESS_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def default_workers() -> int:
    """Two per core plus one, as gunicorn advises, capped to bound memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, MAX_WORKERS)


def check_migrated() -> None:
    """Refuse to serve a database that `jiesu migrate` has not brought up to date."""
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as err:
        raise CommandError(f"无法连接数据库:{err}") from None
    finally:
        connections.close_all()
    if plan:
        first = plan[0][0]
        raise CommandError(
            f"数据库还有 {len(plan)} 个迁移未执行(如 {first.app_label}.{first.name})。"
            "请先运行 `jiesu migrate`,再启动服务。"
        )


def server_env() -> dict[str, str]:
    """The environment of the server's children: static files under hashed names."""
    return dict(os.environ, JIESU_STATIC_MANIFEST="1")


def collect_static() -> None:
    """Copy static files to STATIC_ROOT with hashed names, as the server will ask for them."""
    done = subprocess.run(
        [sys.executable, "-m", "jiesu.cli", "collectstatic", "--noinput", "-v0"],
        env=server_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise CommandError(f"收集静态文件失败:{done.stderr.strip()[-2000:]}")


def access_log_path() -> Path:
    return settings.VAR_DIR / "logs" / "access.log"


def gunicorn_command(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    access_log_path().parent.mkdir(parents=True, exist_ok=True)
    return [
        sys.executable,
        "-m",
        "gunicorn",
        f"--bind={host}:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        f"--threads={threads}",
        f"--timeout={TIMEOUT}",
        f"--graceful-timeout={GRACEFUL}",
        "--keep-alive=5",
        "--preload",
        "--name=jiesu",
        "--no-control-socket",
        f"--access-logfile={access_log_path()}",
        f"--access-logformat={ACCESS_FORMAT}",
        "--error-logfile=-",
        "jiesu.wsgi:application",
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "jiesu.cli", "worker"]


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the supervisor itself is killed (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Supervisor:
    """Runs the web server and the worker until a signal or the web server's own exit."""

    def __init__(self, web: list[str], *, worker: bool, out, env: dict[str, str]):
        self.web_command = web
        self.worker_command = worker_command() if worker else None
        self.out = out
        self.env = env
        self.stop = threading.Event()
        self.signals = 0
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def _start(self, command: list[str]) -> subprocess.Popen:
        # Own process group: a terminal's Ctrl-C reaches only the supervisor, which stops
        # the children in order.
        return subprocess.Popen(command, env=self.env, process_group=0, preexec_fn=_die_with_parent)

    def _on_signal(self, signum, frame) -> None:
        self.signals += 1
        self.stop.set()
        if self.signals > 1:  # asked twice: do not wait for requests in flight
            for child in (self.web, self.worker):
                if child and child.poll() is None:
                    child.kill()

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        self.web = self._start(self.web_command)
        self.worker = self._start(self.worker_command) if self.worker_command else None
        started, backoff, restart_at = time.monotonic(), 1.0, None
        code = 0
        while not self.stop.wait(0.5):
            if self.web.poll() is not None:
                code = self.web.returncode or 1
                self.out.write(f"网页服务进程已退出(代码 {self.web.returncode}),停止服务。")
                break
            if self.worker and self.worker.poll() is not None and restart_at is None:
                ran = time.monotonic() - started
                backoff = 1.0 if ran > BACKOFF_MAX else min(backoff * 2, BACKOFF_MAX)
                restart_at = time.monotonic() + backoff
                self.out.write(
                    f"后台任务进程已退出(代码 {self.worker.returncode}),{backoff:.0f} 秒后重启。"
                )
            if restart_at is not None and time.monotonic() >= restart_at:
                self.worker = self._start(self.worker_command)
                started, restart_at = time.monotonic(), None
            self._rotate_access_log()
        self._shutdown()
        return code

    def _shutdown(self) -> None:
        children = [(self.web, GRACEFUL + 5), (self.worker, WORKER_STOP)]
        for child, _ in children:
            if child and child.poll() is None:
                child.terminate()
        for child, patience in children:
            if child is None:
                continue
            try:
                child.wait(patience)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _rotate_access_log(self) -> None:
        """Keep the access log under ACCESS_LOG_BYTES: shift the files, then SIGUSR1 makes
        gunicorn reopen its log in the master and every worker."""
        log = access_log_path()
        try:
            if log.stat().st_size < ACCESS_LOG_BYTES:
                return
        except FileNotFoundError:
            return
        for n in range(ACCESS_LOG_KEEP - 1, 0, -1):
            older = log.with_name(f"{log.name}.{n}")
            if older.exists():
                older.replace(log.with_name(f"{log.name}.{n + 1}"))
        log.replace(log.with_name(f"{log.name}.1"))
        self.web.send_signal(signal.SIGUSR1)


def serve(web: list[str], *, worker: bool, out, manifest: bool = True) -> int:
    """Run `web` and the worker under one supervisor. `manifest=False` (the development
    server) serves static files by their plain names, with nothing collected."""
    env = server_env() if manifest else dict(os.environ)
    return Supervisor(web, worker=worker, out=out, env=env).run()


class Command(BaseCommand):
    help = "启动生产网页服务(gunicorn),并在旁运行后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址(默认 127.0.0.1)")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", 8000)), help="端口(默认 8000)"
        )
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="进程数(默认 2×CPU 核数+1)"
        )
        parser.add_argument(
            "--threads", type=int, default=THREADS, help=f"每个进程的线程数(默认 {THREADS})"
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="不在旁启动后台任务(另有 jiesu worker 运行时)"
        )

    def handle(self, *args, host, port, workers, threads, no_worker, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers 和 --threads 至少为 1。")
        check_migrated()
        collect_static()
        self.stdout.write(
            f"接诉即办工作平台: http://{host}:{port}/ "
            f"({workers} 个进程 × {threads} 个线程{'' if no_worker else ',含后台任务'})"
        )
        self.stdout.flush()
        web = gunicorn_command(host=host, port=port, workers=workers, threads=threads)
        code = serve(web, worker=not no_worker, out=self.stdout)
        if code:
            sys.exit(code)
