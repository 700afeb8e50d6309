#!/usr/bin/env bash
# Every check Redress has: formatting, lints, the whole test suite on the embedded SQLite
# backend, and the database suite again on PostgreSQL when a server answers.
#
# REDRESS_TEST_POSTGRES_URL names the PostgreSQL server's admin database (default
# postgres://postgres@127.0.0.1:5432/test); each test creates and drops its own database there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The desk's browser tests drive Debian's Chromium through its ChromeDriver (nothing downloads a
# browser of its own), and redress-documents' tests read its PDFs back with poppler's pdftotext:
# installed here when missing and this shell may install packages.
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing chromium, chromium-driver and poppler-utils for the browser and PDF tests"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver poppler-utils >/dev/null
  else
    echo "the browser and PDF tests need chromium, chromedriver and pdftotext: apt-get install chromium chromium-driver poppler-utils" >&2
    exit 1
  fi
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --all-targets

export REDRESS_TEST_POSTGRES_URL=${REDRESS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
if python3 - "$REDRESS_TEST_POSTGRES_URL" <<'PY'
import socket, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
try:
    socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
then
  echo "== PostgreSQL pass: the database suite against $REDRESS_TEST_POSTGRES_URL"
  REDRESS_TEST_BACKEND=postgres cargo test -p redress-storage -p redress-service -p redress-server -p redress-web -p redress-portal --tests
  REDRESS_TEST_BACKEND=postgres cargo test -p redress-cli --test many_writers --test mail --test crash
else
  echo "== PostgreSQL pass: NOT RUN (no server answers at $REDRESS_TEST_POSTGRES_URL)"
fi

# A one-minute soak on each backend a server answers for: intake, list pages and the desk's
# pages at once, none failing (scripts/soak.sh; the hour is run by hand).
echo "== Soak: a minute of intake, list pages and desk pages at once"
soak_backends=sqlite
if psql -q "$REDRESS_TEST_POSTGRES_URL" -c "SELECT 1" >/dev/null 2>&1; then
  soak_backends="sqlite postgres"
fi
DURATION=60 WINDOW=10 PROFILE=debug REPORT=0 CUSTOMERS=300 DISPUTES=3000 INTAKE_RATE=20 \
  LIST_RATE=40 DESK_RATE=5 BACKENDS=$soak_backends SOAK_DIR=target/soak ./scripts/soak.sh

# Schemathesis against the API's own document, on each backend a server answers for (see
# scripts/fuzz-api.sh; EXAMPLES=200 for the long run).
echo "== Schemathesis: every operation of /api/v1/openapi.json, as an admin and as an approver"
./scripts/fuzz-api.sh
