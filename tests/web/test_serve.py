"""`jiesu serve`: a real gunicorn on a free port with the worker beside it, over HTTP."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

JIESU = [sys.executable, "-m", "jiesu.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """Child processes of `pid` with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _get(url: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def _wait_for_login(base: str, server: subprocess.Popen, output, seconds: float = 60):
    """The login page once the server answers; fails with the server's output if it died."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _get(f"{base}/login/")
        except OSError:
            assert server.poll() is None, output()
            assert time.monotonic() < deadline, f"服务未在 {seconds:.0f} 秒内启动"
            time.sleep(0.2)


@pytest.fixture
def var_env(tmp_path):
    env = dict(
        os.environ,
        JIESU_VAR_DIR=str(tmp_path),
        JIESU_DEBUG="0",
        JIESU_SECRET_KEY=secrets.token_urlsafe(50),
    )
    env.pop("DATABASE_URL", None)  # a fresh SQLite file in the temp var dir
    return env


def test_serve_refuses_pending_migrations(var_env):
    done = subprocess.run(
        [*JIESU, "serve", "--port", str(_free_port())],
        env=var_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "迁移未执行" in done.stderr and "jiesu migrate" in done.stderr


def test_serve_answers_serves_static_keeps_worker_and_stops_on_sigterm(var_env, tmp_path):
    subprocess.run([*JIESU, "migrate", "-v0"], env=var_env, check=True, timeout=120)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*JIESU, "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
        env=var_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status, _, page = _wait_for_login(base, server, lambda: server.stdout.read())
        assert status == 200
        assert "登录" in page.decode()

        # The stylesheet under its hashed name, cached by browsers for a long time.
        css = re.search(r'href="(/static/jiesu/app\.[0-9a-f]{12}\.css)"', page.decode())
        assert css, "页面应引用带哈希的静态文件名"
        status, headers, body = _get(base + css.group(1))
        assert status == 200 and body
        assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 86400

        # 20 at once: every one answered, none reset.
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda _: _get(f"{base}/login/")[0], range(20)))
        assert statuses == [200] * 20

        children = _children(server.pid)
        workers = [pid for pid, cmd in children.items() if "jiesu.cli worker" in cmd]
        web = [pid for pid, cmd in children.items() if "gunicorn" in cmd]
        assert len(workers) == 1 and len(web) == 1

        # A worker that dies is started again.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while True:
            again = [p for p, c in _children(server.pid).items() if "jiesu.cli worker" in c]
            if again and again[0] != workers[0]:
                break
            assert time.monotonic() < deadline, "后台任务进程未被重启"
            time.sleep(0.2)

        # The access log holds paths without their query strings.
        _get(f"{base}/login/?api_key=secret-key-123")
        server.send_signal(signal.SIGTERM)
        assert server.wait(10) == 0
        for pid in [*web, *again]:
            assert not _alive(pid), f"子进程 {pid} 未退出"
        log = (tmp_path / "logs" / "access.log").read_text()
        assert '"GET /login/"' in log
        assert "secret-key-123" not in log
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_the_development_server_serves_pages_and_plain_static_files(var_env):
    """`jiesu run --dev` collects nothing, so its pages must name the plain static files."""
    port = _free_port()
    server = subprocess.Popen(
        [*JIESU, "run", "--dev", "--no-demo", "--port", str(port)],
        env=var_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        status, _, body = _wait_for_login(
            f"http://127.0.0.1:{port}", server, lambda: server.stderr.read().decode()[-2000:]
        )
        assert status == 200
        css = re.search(rb'href="(/static/jiesu/app[^"]*\.css)"', body).group(1).decode()
        assert css == "/static/jiesu/app.css"
        assert _get(f"http://127.0.0.1:{port}{css}")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
