#!/usr/bin/env bash
# Benchmark of the server (issue 4), on SQLite and on PostgreSQL:
#
#  1. `redress import` of the 2.5-million-line dataset (60,000 customers over 12 months, with
#     the export's own 10,319 disputes) into a fresh database, timed;
#  2. a fresh database with the same billing data and 1 million disputes (made by
#     scripts/bench/many-disputes.py), served by `redress serve`;
#  3. dispute intake (POST /api/v1/disputes) and filtered list pages (GET /api/v1/disputes)
#     from `redress-load` on loopback: at a fixed rate (intake at the target's 2,000 a second,
#     list pages at 1,000; latencies counted from when each request fell due), and as fast as
#     the server answers (16 clients; how many a second it can take). SQLite is served with
#     `--keep-in-memory`.
#  4. the desk's pages an agent reads (issue 17): the queue filtered and searched, and case
#     pages of random disputes, signed in as a desk user, the same two ways.
#  5. on PostgreSQL, several servers on one database (issue 21): intake and list pages against
#     one `redress serve`, then against two on the same database taking the requests in turn
#     (the load generator's round robin, as a load balancer's), the same two ways.
#
# PHASES chooses among "api" (1 and 3), "desk" (4) and "servers" (5); all by default.
#
# It writes the figures into docs/performance.md. Not a test: run it by hand on a quiet machine,
# as root (it runs the load generator at real-time priority, so that its own scheduling does
# not count as the server's latency, and a PostgreSQL server of its own as `postgres`).
#
#   scripts/bench-server.sh                       # everything, data in ./bench-server
#   BACKENDS=sqlite DURATION=10 scripts/bench-server.sh
#   PHASES=desk scripts/bench-server.sh           # the desk's pages only
#   BACKENDS=postgres PHASES=servers scripts/bench-server.sh   # one server against two
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/bench-server.sh  # another server
#
# PostgreSQL: unless PG_URL names a server, the script runs one of its own (port 5433, data in
# BENCH_DIR/pgdata) with settings for a machine that is the database's: see PG_SETTINGS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(realpath -m "${BENCH_DIR:-bench-server}")
customers=${CUSTOMERS:-60000}
disputes=${DISPUTES:-1000000}
duration=${DURATION:-30}
list_duration=${LIST_DURATION:-10}
rate=${RATE:-2000}
list_rate=${LIST_RATE:-1000}
kind_rate=${KIND_RATE:-500}
connections=${CONNECTIONS:-16}
backends=${BACKENDS:-sqlite postgres}
phases=${PHASES:-api desk servers}
desk_rate=${DESK_RATE:-200}
desk_kind_rate=${DESK_KIND_RATE:-100}
port=18080
second_port=18081
pg_port=5433
PG_SETTINGS=${PG_SETTINGS:-"-c shared_buffers=8GB -c effective_cache_size=16GB -c work_mem=64MB \
-c maintenance_work_mem=2GB -c max_wal_size=16GB -c checkpoint_timeout=30min \
-c max_parallel_maintenance_workers=2 -c max_connections=200"}

mkdir -p "$work"
cargo build --release --quiet --bin redress --bin redress-load
redress=$root/target/release/redress
load=$root/target/release/redress-load
# The load at real-time priority where it may be (root): its timers then fire on time.
realtime=()
chrt -f 10 true 2>/dev/null && realtime=(chrt -f 10)

if [ ! -f "$work/data/truth.jsonl" ]; then
  echo "generating $customers customers x 12 months into $work/data" >&2
  "$redress" demo-data "$work/data" --customers "$customers" --months 12 --seed 1 --error-rate 0.01
fi
if [ ! -f "$work/server/disputes.csv" ]; then
  echo "writing $disputes disputes into $work/server" >&2
  python3 scripts/bench/many-disputes.py "$work/data" "$work/server" "$disputes"
fi
lines=$(( $(wc -l < "$work/data/invoice_lines.csv") - 1 ))
deliveries=$(( $(wc -l < "$work/data/deliveries.csv") - 1 ))

pg_started=
start_postgres() {
  [ -n "${PG_URL:-}" ] && return
  local bin
  bin=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -n1)/bin
  if [ ! -f "$work/pgdata/PG_VERSION" ]; then
    mkdir -p "$work/pgdata" && chown postgres "$work/pgdata"
    runuser -u postgres -- "$bin/initdb" -D "$work/pgdata" -A trust -U postgres >/dev/null
  fi
  touch "$work/postgres.log" && chown postgres "$work/postgres.log"
  # shellcheck disable=SC2086
  runuser -u postgres -- "$bin/pg_ctl" -D "$work/pgdata" -l "$work/postgres.log" -w \
    -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 $PG_SETTINGS" start >/dev/null
  pg_started=$bin
}
stop_postgres() {
  if [ -n "$pg_started" ]; then
    runuser -u postgres -- "$pg_started/pg_ctl" -D "$work/pgdata" -m fast stop >/dev/null
    pg_started=
  fi
}
server_pid=
second_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$second_pid" ] && kill "$second_pid" 2>/dev/null || true
  stop_postgres
}
trap cleanup EXIT

# A fresh, empty database NAME on the backend; prints the arguments that name it.
fresh_database() {
  local backend=$1 name=$2
  if [ "$backend" = sqlite ]; then
    rm -rf "${work:?}/$name"
    echo "--data-dir $work/$name"
  else
    local admin=${PG_URL:-postgres://postgres@127.0.0.1:$pg_port/postgres}
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    echo "--database-url ${admin%/*}/$name"
  fi
}

# Runs `redress import` and prints its wall time in seconds.
timed_import() {
  local dir=$1; shift
  /usr/bin/time -f "%e" -o "$work/time.txt" "$redress" import "$dir" "$@" 2> "$work/import.log" \
    || { cat "$work/import.log" >&2; exit 1; }
  tail -n1 "$work/import.log" >&2
  cat "$work/time.txt"
}

# The servers the load goes to (the second with phase 5).
urls=(--url "http://127.0.0.1:$port")

# Waits until the server at PORT answers.
wait_for_server() {
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return
    sleep 0.1
  done
  echo "the server on port $1 did not start" >&2
  exit 1
}

# The load's figures: "requests/s p50 p90 p99 failures" (ms). WORKLOAD and the load's options.
measure() {
  PASSWORD=$desk_password "${realtime[@]}" "$load" "${urls[@]}" --token "$token" \
    --email bench@example.com --disputes "$disputes" --customers "$customers" \
    --bench-dir "$work/server" --workload "$@" 2> "$work/load.err" || { cat "$work/load.err" >&2; exit 1; }
  grep -E "^a request" "$work/load.err" | head -n3 >&2 || true
}
has_phase() { [[ " $phases " == *" $1 "* ]]; }
desk_password="the bench's desk password"

# Figures per backend; a backend not run this time keeps its last ones.
results=$work/results.txt
desk_results=$work/desk-results.txt
servers_results=$work/servers-results.txt
touch "$results" "$desk_results" "$servers_results"
for backend in $backends; do
  echo "== $backend" >&2
  has_phase api && sed -i "/^$backend /d" "$results"
  has_phase desk && sed -i "/^$backend /d" "$desk_results"
  [ "$backend" = postgres ] && start_postgres
  import_seconds=0
  if has_phase api; then
    # shellcheck disable=SC2046
    import_seconds=$(timed_import "$work/data" $(fresh_database "$backend" redress_import))
    echo "import: $import_seconds s" >&2
  fi
  read -ra db <<< "$(fresh_database "$backend" redress_bench)"
  setup_seconds=$(timed_import "$work/server" "${db[@]}")
  echo "import with $disputes disputes: $setup_seconds s" >&2
  token=$("$redress" token create --role agent --name bench "${db[@]}" 2>/dev/null | tail -n1)
  echo "$desk_password" | "$redress" user create --role agent --email bench@example.com \
    --password-stdin "${db[@]}" >/dev/null
  if [ "$backend" = postgres ]; then
    # Vacuumed and checkpointed first (as SQLite is below): a server that has been running
    # is not still vacuuming and writing out a 4 GB import, which autovacuum otherwise starts
    # as the load does. Then the database in shared buffers, as such a server has it: random
    # intake touches all of it, but not within the warm-up, and the import's index builds
    # write around the buffer cache. (Outside shared buffers, this kernel's DAMON sends the
    # reads to the disk.)
    psql -q "${db[1]}" -c "VACUUM (ANALYZE)" -c "CHECKPOINT" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
      -c "SELECT sum(pg_prewarm(c.oid)) \
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
      WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't', 'm')" >/dev/null
  fi
  if [ "$backend" = sqlite ]; then
    # Start from a checkpointed database, as a server that has been running would.
    python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" \
      "$work/redress_bench/redress.db"
  fi
  # SQLite's file kept in memory, as a server on a machine that is the database's would run
  # (the kernel here pages out file cache left idle for a minute: see docs/performance.md).
  keep=()
  [ "$backend" = sqlite ] && keep=(--keep-in-memory)
  "$redress" serve --addr "127.0.0.1:$port" "${db[@]}" "${keep[@]}" > "$work/serve-$backend.log" 2>&1 &
  server_pid=$!
  wait_for_server "$port"
  if has_phase api; then
    # Warm the caches the way a running server's are: a pass of list pages and intake.
    measure list --seconds 10 >/dev/null
    measure intake --seconds 10 --rate "$rate" --connections 64 >/dev/null
    if [ "$backend" = postgres ]; then
      # The statistics of the tables intake fills that the import left empty (messages,
      # outbox, portal links, timers), as autovacuum keeps them on a server that has been
      # running. Without them, the foreign-key checks into a table planned while it was
      # empty scan the whole table, on every row, until autovacuum's next pass.
      psql -q "${db[1]}" -c "ANALYZE" >/dev/null
    fi
    echo "$backend import $import_seconds $setup_seconds" >> "$results"
    echo "$backend intake-rate $(measure intake --seconds "$duration" --rate "$rate" --connections 64)" >> "$results"
    echo "$backend intake-flat $(measure intake --seconds "$duration" --connections "$connections")" >> "$results"
    echo "$backend list-rate $(measure list --seconds "$duration" --rate "$list_rate" --connections 64)" >> "$results"
    echo "$backend list-flat $(measure list --seconds "$duration" --connections "$connections")" >> "$results"
    for family in 1 2 3 4 5 6; do
      echo "$backend list$family $(measure list --family $family --seconds "$list_duration" --rate "$kind_rate" --connections 64)" >> "$results"
    done
  fi
  if has_phase desk; then
    # Warm the caches with a pass of the desk's pages, then the figures.
    measure desk --seconds 10 --connections 4 >/dev/null
    echo "$backend desk-rate $(measure desk --seconds "$duration" --rate "$desk_rate" --connections 64)" >> "$desk_results"
    echo "$backend desk-flat $(measure desk --seconds "$duration" --connections "$connections")" >> "$desk_results"
    for family in 1 2 3 4 5 6 7; do
      echo "$backend desk$family $(measure desk --family $family --seconds "$list_duration" --rate "$desk_kind_rate" --connections 64)" >> "$desk_results"
    done
  fi
  if has_phase servers && [ "$backend" = postgres ]; then
    # Warmed as above, then each load against one server and against two. Twice the clients
    # against two, so each server has as many as one had.
    : > "$servers_results"
    measure list --seconds 10 >/dev/null
    measure intake --seconds 10 --rate "$rate" --connections 64 >/dev/null
    for servers in one two; do
      clients=$connections
      if [ "$servers" = two ]; then
        "$redress" serve --addr "127.0.0.1:$second_port" "${db[@]}" > "$work/serve-second.log" 2>&1 &
        second_pid=$!
        wait_for_server "$second_port"
        urls=(--url "http://127.0.0.1:$port" --url "http://127.0.0.1:$second_port")
        measure list --seconds 10 >/dev/null
        clients=$(( connections * 2 ))
      fi
      echo "$servers intake-flat $(measure intake --seconds "$duration" --connections "$clients")" >> "$servers_results"
      echo "$servers list-flat $(measure list --seconds "$duration" --connections "$clients")" >> "$servers_results"
      echo "$servers intake-rate $(measure intake --seconds "$duration" --rate "$rate" --connections 64)" >> "$servers_results"
      echo "$servers list-rate $(measure list --seconds "$duration" --rate "$list_rate" --connections 64)" >> "$servers_results"
    done
    kill -INT "$second_pid"
    wait "$second_pid" || true
    second_pid=
    urls=(--url "http://127.0.0.1:$port")
    cat "$servers_results" >&2
  fi
  kill -INT "$server_pid"
  wait "$server_pid" || true
  server_pid=
  [ "$backend" = postgres ] && stop_postgres
  grep -h "^$backend" "$results" "$desk_results" >&2
done

# The figures into docs/performance.md (scripts/bench/report.py).
if has_phase api; then
  python3 scripts/bench/report.py api "$results" "$lines" "$deliveries" "$disputes" "$connections" \
    "$duration" "$list_duration" "$rate" "$list_rate" "$kind_rate"
fi
if has_phase servers && [[ " $backends " == *" postgres "* ]]; then
  python3 scripts/bench/report.py servers "$servers_results" "$disputes" "$connections" "$duration" \
    "$rate" "$list_rate"
fi
if has_phase desk; then
  python3 scripts/bench/report.py desk "$desk_results" "$disputes" "$connections" "$duration" \
    "$list_duration" "$desk_rate" "$desk_kind_rate"
fi
