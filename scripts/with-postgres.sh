#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary folder, start it
# on a Unix socket only, export TEST_DATABASE_URL, run the command, then stop and delete it.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
dir=$(mktemp -d /tmp/lms-pg.XXXXXX)
port=${PG_PORT:-54329}
run_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${run_as[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c full_page_writes=off" start >/dev/null
"${run_as[@]}" "$PG_BIN/createdb" -h "$dir" -p "$port" -U postgres lms_test
export TEST_DATABASE_URL="postgresql+psycopg://postgres@/lms_test?host=$dir&port=$port"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $dir (port $port)"
"$@"
