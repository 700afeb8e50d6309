#!/usr/bin/env bash
# The soak run (issue 19): dispute intake, list pages and the desk's pages all at once, each at
# a fixed rate, for an hour, against `redress serve` on each backend. Every WINDOW seconds it
# records the server's memory (resident set), its open files and the database's size, and
# `redress-load --timeline` gives each window's latency percentiles of each load. Then
# scripts/soak/report.py judges the run (no request failed; memory and open files level off;
# p99 at the end within the targets as at the start), keeps each window's figures in
# docs/soak/BACKEND.csv and writes the backend's part of docs/reliability.md.
#
#   scripts/soak.sh                                 # an hour on each backend
#   BACKENDS=sqlite scripts/soak.sh                 # one backend (the other keeps its figures)
#   DURATION=60 WINDOW=10 PROFILE=debug REPORT=0 …  # the short run CI makes (scripts/test.sh)
#
# The load is what both backends hold together on this machine's 2 cores, with the load
# generator and (on PostgreSQL) the database on the same cores: a soak asks whether the server
# wears over time, which a load it cannot keep up with would hide behind its growing queue.
# The peak rates of issue 4 are scripts/bench-server.sh's. PostgreSQL is the machine's server
# (REDRESS_TEST_POSTGRES_URL, database redress_soak), with its own settings.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(realpath -m "${SOAK_DIR:-soak}")
duration=${DURATION:-3600}
window=${WINDOW:-60}
customers=${CUSTOMERS:-5000}
disputes=${DISPUTES:-100000}
intake_rate=${INTAKE_RATE:-250}
list_rate=${LIST_RATE:-500}
desk_rate=${DESK_RATE:-50}
backends=${BACKENDS:-sqlite postgres}
profile=${PROFILE:-release}
report=${REPORT:-1}
pg_admin=${REDRESS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
export PGOPTIONS=${PGOPTIONS:---client-min-messages=warning}
port=${PORT:-18090}

mkdir -p "$work"
if [ "$profile" = release ]; then
  cargo build --release --quiet --bin redress --bin redress-load
else
  cargo build --quiet --bin redress --bin redress-load
fi
bin=$root/target/$profile
data=$work/data-$customers
if [ ! -f "$data/truth.jsonl" ]; then
  "$bin/redress" demo-data "$data" --customers "$customers" --months 12 --seed 1 --error-rate 0.01 >/dev/null 2>&1
fi
server_data=$work/server-$customers-$disputes
if [ ! -f "$server_data/disputes.csv" ]; then
  python3 scripts/bench/many-disputes.py "$data" "$server_data" "$disputes" >/dev/null
fi

server_pid=
sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

password="the soak's desk password"
status=0
for backend in $backends; do
  echo "== soak on $backend: ${duration} s, intake $intake_rate/s, list pages $list_rate/s, desk pages $desk_rate/s" >&2
  if [ "$backend" = sqlite ]; then
    rm -rf "${work:?}/db-sqlite"
    db=(--data-dir "$work/db-sqlite")
    size() { du -sb "$work/db-sqlite" | cut -f1; }
  else
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS redress_soak" -c "CREATE DATABASE redress_soak" >/dev/null
    db=(--database-url "${pg_admin%/*}/redress_soak")
    size() { psql -tA "${db[1]}" -c "SELECT pg_database_size(current_database())"; }
  fi
  "$bin/redress" import "$server_data" "${db[@]}" 2> "$work/import.log" >/dev/null \
    || { cat "$work/import.log" >&2; exit 1; }
  token=$("$bin/redress" token create --role agent --name soak "${db[@]}" 2>/dev/null | tail -n1)
  echo "$password" | "$bin/redress" user create --role agent --email soak@example.com \
    --password-stdin "${db[@]}" >/dev/null 2>&1
  [ "$backend" = postgres ] && psql -q "${db[1]}" -c "VACUUM (ANALYZE)" >/dev/null

  "$bin/redress" serve --addr "127.0.0.1:$port" "${db[@]}" > "$work/serve-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done

  # The server's resources, every window: seconds since the start, resident KiB, open files,
  # database bytes.
  resources=$work/$backend-resources.txt
  : > "$resources"
  (
    start=$(date +%s)
    while kill -0 "$server_pid" 2>/dev/null; do
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
      fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
      echo "$(( $(date +%s) - start )) $rss $fds $(size)" >> "$resources"
      sleep "$window"
    done
  ) &
  sampler_pid=$!

  loads=()
  for kind in intake list desk; do
    case $kind in
      intake) rate=$intake_rate ;;
      list) rate=$list_rate ;;
      desk) rate=$desk_rate ;;
    esac
    PASSWORD=$password "$bin/redress-load" --url "http://127.0.0.1:$port" --token "$token" \
      --email soak@example.com --disputes "$disputes" --customers "$customers" \
      --bench-dir "$server_data" --workload "$kind" --rate "$rate" --connections 64 \
      --seconds "$duration" --timeline "$window" \
      > "$work/$backend-$kind.out" 2> "$work/$backend-$kind.err" &
    loads+=($!)
  done
  for pid in "${loads[@]}"; do
    wait "$pid" || status=1
  done
  alive=yes
  kill -0 "$server_pid" 2>/dev/null || alive=no
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=
  kill -INT "$server_pid" 2>/dev/null || true
  wait "$server_pid" || true
  server_pid=
  for kind in intake list desk; do
    echo "$kind: $(grep -v '^from second' "$work/$backend-$kind.err" | tail -n1)" >&2
  done
  python3 scripts/soak/report.py "$work" "$backend" "$alive" "$report" "$duration" "$window" \
    "$customers" "$disputes" "$intake_rate" "$list_rate" "$desk_rate" "$profile" || status=1
done
exit "$status"
