#!/usr/bin/env bash
# Schemathesis (issue 19) against the API's own document, /api/v1/openapi.json: every operation,
# with an admin's token and again with an approver's, every check Schemathesis has (no 5xx, every
# response matching the documented schema, status code and content type, bad input refused, good
# input taken), the stateful phase following the document's links. On a fresh database of each
# backend: the embedded SQLite, and PostgreSQL when a server answers (as scripts/test.sh).
#
#   scripts/fuzz-api.sh                         # CI's run: a few examples an operation
#   EXAMPLES=200 scripts/fuzz-api.sh            # the long run (behind a flag, as issue 19 asks)
#   BACKENDS=sqlite scripts/fuzz-api.sh
#
# It builds `redress` (debug, as the tests do), fills each database with `redress demo-data`
# imported, serves it on a free port and runs Schemathesis (pinned below; installed from PyPI
# into .fuzz/venv when missing). Reports land in .fuzz/<backend>-<role>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
examples=${EXAMPLES:-8}
backends=${BACKENDS:-sqlite postgres}
schemathesis_version=4.32.5
work=$root/.fuzz
pg_admin=${REDRESS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
mkdir -p "$work"

if ! "$work/venv/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "== installing schemathesis $schemathesis_version into $work/venv"
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet "schemathesis==$schemathesis_version"
fi
cargo build --quiet --bin redress
# A copy, so that a build meanwhile does not pull the binary from under the run.
cp target/debug/redress "$work/redress"
redress=$work/redress

server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_answers() {
  python3 - "$pg_admin" <<'PY'
import socket, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
try:
    socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

rm -rf "$work/export"
"$redress" demo-data "$work/export" --customers 40 --months 6 >/dev/null

failed=0
for backend in $backends; do
  case $backend in
    sqlite)
      rm -rf "$work/sqlite-data"
      database=(--data-dir "$work/sqlite-data")
      ;;
    postgres)
      if ! pg_answers; then
        echo "== $backend: NOT RUN (no server answers at $pg_admin)"
        continue
      fi
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS redress_fuzz" -c "CREATE DATABASE redress_fuzz" >/dev/null
      database=(--database-url "${pg_admin%/*}/redress_fuzz")
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  "$redress" import "$work/export" "${database[@]}" >/dev/null
  admin=$("$redress" token create --role admin --name fuzz-admin "${database[@]}" | tail -n1)
  approver=$("$redress" token create --role approver --name fuzz-approver "${database[@]}" | tail -n1)
  port=$(free_port)
  REDRESS_LOG=error "$redress" serve --addr "127.0.0.1:$port" "${database[@]}" >"$work/$backend-server.log" 2>&1 &
  server=$!
  for role in admin approver; do
    token=$admin
    [ "$role" = approver ] && token=$approver
    echo "== $backend, as an $role: schemathesis, $examples examples an operation"
    if ! (cd "$work" && "$work/venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
      --wait-for-schema 30 \
      -H "Authorization: Bearer $token" \
      --checks all \
      --max-examples "$examples" \
      --seed 19 \
      --workers 2 \
      --suppress-health-check all \
      --report junit --report-dir "$work/$backend-$role" \
      --output-truncate true); then
      failed=1
    fi
  done
  cleanup
  server=
done
exit $failed
