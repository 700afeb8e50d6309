#!/usr/bin/env bash
# Generates a year of billing data for 200 customers with planted errors, and audits it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-redress-demo}
cargo build --release --quiet --bin redress
./target/release/redress demo-data "$dir" --customers 200 --months 12 --seed 42
./target/release/redress audit "$dir" --format table
