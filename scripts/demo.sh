#!/usr/bin/env bash
# The demo server: a year of billing data for 200 customers with planted errors (in
# ./redress-demo), imported into the embedded SQLite database (./redress-data), a token for an
# agent (printed, and kept in ./redress-data/agent.token), an agent who signs in to the desk
# (their password kept in ./redress-data/desk.password), and `redress serve` on
# http://127.0.0.1:8080 until Ctrl-C.
#
#   scripts/demo.sh                                              # SQLite, the embedded default
#   scripts/demo.sh --database-url postgres://postgres@127.0.0.1:5432/redress   # PostgreSQL
#
# Any flags are given to `redress import`, `redress token create`, `redress user create` and
# `redress serve` alike.
# Importing again is harmless: rows are upserted by id and disputes already there are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=${REDRESS_DEMO_DIR:-redress-demo}
cargo build --release --quiet --bin redress
redress=target/release/redress

if [ ! -f "$demo/truth.jsonl" ]; then
  "$redress" demo-data "$demo" --customers 200 --months 12 --seed 42
fi
"$redress" import "$demo" "$@"
# The demo's agent is made once; a demo started again gives them another token.
token=$("$redress" token create --role agent --name demo-agent "$@" 2>/dev/null | tail -n1) ||
  token=$("$redress" token create --user demo-agent "$@" | tail -n1)
mkdir -p redress-data
printf '%s\n' "$token" > redress-data/agent.token
# The demo's agent at the desk, made once; their password is kept in redress-data/desk.password.
if [ ! -s redress-data/desk.password ]; then
  "$redress" user create --role agent --email agent@demo.example --name "Demo Agent" "$@" \
    | tail -n1 > redress-data/desk.password || true
fi
cat >&2 <<EOF

The demo server is starting on http://127.0.0.1:8080 (Ctrl-C stops it). The agent's desk is at
http://127.0.0.1:8080/: sign in as agent@demo.example with the password in
redress-data/desk.password ($(cat redress-data/desk.password 2>/dev/null)). In another terminal:

  export TOKEN=$token     # also in redress-data/agent.token
  curl -s localhost:8080/api/v1/disputes?status=open -H "Authorization: Bearer \$TOKEN"

The README's tour works a dispute from intake to close from here.

EOF
exec "$redress" serve "$@"
