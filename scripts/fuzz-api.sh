#!/usr/bin/env bash
# Schemathesis (issue 19) against the API's own document, /api/v1/openapi.json: every operation,
# with an admin's token and again with an approver's, every check Schemathesis has (no 5xx, every
# response matching the documented schema, status code and content type, bad input refused, good
# input taken), the stateful phase following the document's links. On a fresh database of each
# backend: the embedded SQLite, and PostgreSQL when a server answers (as scripts/test.sh).
#
#   scripts/fuzz-api.sh                         # CI's run: 20 examples an operation
#   EXAMPLES=200 scripts/fuzz-api.sh            # the long run (behind a flag, as issue 19 asks)
#   BACKENDS=sqlite scripts/fuzz-api.sh
#
# It builds `redress` (debug, as the tests do), fills each database with `redress demo-data`
# imported, serves it on a free port and runs Schemathesis (pinned below; installed from PyPI
# into .fuzz/venv when missing). Reports land in .fuzz/<backend>-<role>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
examples=${EXAMPLES:-20}
backends=${BACKENDS:-sqlite postgres}
schemathesis_version=4.32.5
work=$root/.fuzz
pg_admin=${REDRESS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
mkdir -p "$work"

if ! "$work/venv/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "== installing schemathesis $schemathesis_version into $work/venv"
  if ! python3 -m venv "$work/venv" 2>/dev/null; then
    # Debian's Python makes virtual environments only with python3-venv.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
      rm -rf "$work/venv"
      python3 -m venv "$work/venv"
    else
      echo "scripts/fuzz-api.sh needs python3 -m venv (apt-get install python3-venv)" >&2
      exit 1
    fi
  fi
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
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS redress_fuzz WITH (FORCE)" -c "CREATE DATABASE redress_fuzz" >/dev/null
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
  # The document as this server serves it (it takes a token like every route).
  for _ in $(seq 1 100); do
    curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/openapi.json" \
      -o "$work/openapi.json" && break
    sleep 0.2
  done
  for role in admin approver; do
    token=$admin
    [ "$role" = approver ] && token=$approver
    echo "== $backend, as an $role: schemathesis, $examples examples an operation"
    if ! (cd "$work" && REDRESS_FUZZ_TOKEN=$token SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$root/scripts/fuzz" "$work/venv/bin/st" \
      --config-file "$root/scripts/fuzz/schemathesis.toml" run "$work/openapi.json" \
      --url "http://127.0.0.1:$port" \
      --checks all \
      --max-examples "$examples" \
      --seed 19 \
      --workers 1 \
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
