"""A throw-away PostgreSQL on loopback for the benchmarks, started as scripts/test.sh does
(initdb into a temporary folder, as the postgres user when run as root, a free port)."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """`durable=True` keeps fsync and synchronous commits on, as an office would run it;
    otherwise they are off, as in the test suite."""

    def __init__(self, durable: bool = False) -> None:
        self.bin = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
        )[-1]
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="jiesu-bench-pg-"))
        self.port = free_port()
        self.as_pg = []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/jiesu"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_pg, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        data = str(self.dir / "data")
        initdb = [str(self.bin / "initdb"), "-D", data, "-U", "postgres", "--auth=trust"]
        self._run(*initdb, "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = str(self.dir / "log")
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-l", log, "-w", "-o", options, "start")
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "jiesu")

    def stop_command(self, mode: str = "fast") -> list[str]:
        data = str(self.dir / "data")
        return [*self.as_pg, str(self.bin / "pg_ctl"), "-D", data, "-m", mode, "stop"]

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(self.stop_command(mode), check=False, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
