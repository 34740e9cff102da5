#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on a throw-away PostgreSQL on loopback.
# Each run spreads the tests over the machine's cores (pytest-xdist); JIESU_TEST_WORKERS
# sets how many processes (0: one process, no xdist). Arguments go on to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
out=${JIESU_TEST_OUTPUT:-test-results}
mkdir -p "$out"
# worksteal: each worker starts on its half of the suite in order, so a module that builds
# its data once (the access matrix's office) mostly stays on one worker; a worker that runs
# out takes tests from the end of the other's queue, so no long test is left for last.
parallel=(-n "${JIESU_TEST_WORKERS:-auto}" --dist worksteal)

run() {
  local name=$1 started=$SECONDS status
  shift
  "$@" && status=0 || status=$?
  echo "== $name: $((SECONDS - started)) 秒"
  return "$status"
}

echo "== 测试 1/2: SQLite"
JIESU_TEST_OUTPUT="$out/sqlite" run SQLite .venv/bin/pytest -q "${parallel[@]}" "$@"

echo "== 测试 2/2: PostgreSQL"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/jiesu-pg.XXXXXX)
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$pgdir"
  as_pg=(runuser -u postgres --)
fi
stop_pg() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap stop_pg EXIT
"${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-h 127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
DATABASE_URL="postgres://postgres@127.0.0.1:$port/jiesu" JIESU_TEST_OUTPUT="$out/postgresql" \
  run PostgreSQL .venv/bin/pytest -q "${parallel[@]}" "$@"
