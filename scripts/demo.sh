#!/usr/bin/env bash
# The demo: builds Redress and runs `redress demo`, which makes a fresh embedded SQLite database
# in ./redress-demo-data holding a business's year (generated billing data, disputes in every
# status, resolutions of every kind, arrears cases and systemic issues), creates a user of each
# role, prints how each signs in, and serves the desk and the API on http://127.0.0.1:8080 until
# Ctrl-C.
#
#   scripts/demo.sh                    # made afresh each time (--reset)
#   scripts/demo.sh --customers 500 --seed 3 --addr 127.0.0.1:9000
#
# Any flags are given to `redress demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin redress
exec target/release/redress demo --reset "$@"
