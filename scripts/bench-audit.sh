#!/usr/bin/env bash
# Benchmark of `redress audit` (issues 3 and 21). Generates ~2.5 million invoice lines and ~5
# million delivery records (60,000 customers over 12 months) and, in each of RUNS runs, parses
# every file with the bare `csv` crate (the `bare-parse` example: files in parallel, nothing
# kept) and then audits them, both in release mode with the files in the page cache. It prints
# each run's ratio of the audit's time to the bare parse's, checks the findings against the
# planted truth, and writes the figures into docs/performance.md.
#
# Then, unless SIZES=0, it does the same (SIZE_RUNS times) at 1/8, 1/4, 1/2, 1 and 2 times the
# customers, and writes a table and a chart (docs/audit-sizes.svg) of time and memory by size.
# Not a test: run it by hand on a quiet machine.
#
#   scripts/bench-audit.sh                 # data in ./bench-data and ./bench-data-sizes (kept)
#   RUNS=10 SIZES=0 BENCH_DIR=/tmp/b scripts/bench-audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-bench-data}
runs=${RUNS:-5}
customers=${CUSTOMERS:-60000}
sizes=${SIZES:-1}
size_runs=${SIZE_RUNS:-3}

cargo build --release --quiet --bin redress
cargo build --release --quiet -p redress-import --example bare-parse
redress=./target/release/redress
bare=./target/release/examples/bare-parse

# generate DIR CUSTOMERS: a year of billing with 1 % errors, unless DIR has it already.
generate() {
  if [ ! -f "$1/truth.jsonl" ]; then
    echo "generating $2 customers x 12 months into $1" >&2
    /usr/bin/time -f "generated in %e s" "$redress" demo-data "$1" --customers "$2" \
      --months 12 --seed 1 --error-rate 0.01
  fi
}

# measure DIR RUNS: one line per run, "bare-parse seconds, audit seconds, audit peak KiB",
# and the audit's findings checked against the truth.
measure() {
  for run in $(seq "$2"); do
    # Page the files in first: the figures are the parse's and the audit's, not the disk's.
    cat "$1"/*.csv > /dev/null
    /usr/bin/time -f "%e" -o "$1/bare.txt" "$bare" "$1" 2> /dev/null
    /usr/bin/time -f "%e %M" -o "$1/time.txt" \
      "$redress" audit "$1" --format jsonl --output "$1/findings.jsonl" 2> "$1/audit.log"
    read -r bare_seconds < "$1/bare.txt"
    read -r seconds kilobytes < "$1/time.txt"
    echo "$bare_seconds $seconds $kilobytes"
    echo "  $1 run $run: bare parse $bare_seconds s, audit $seconds s, peak $(( kilobytes / 1024 )) MiB" >&2
  done
  python3 scripts/compare-truth.py "$1/findings.jsonl" "$1/truth.jsonl" >&2
}

generate "$dir" "$customers"
lines=$(( $(wc -l < "$dir/invoice_lines.csv") - 1 ))
deliveries=$(( $(wc -l < "$dir/deliveries.csv") - 1 ))
bytes=$(cat "$dir"/*.csv | wc -c)
measured=$(measure "$dir" "$runs")

summary=$(python3 - "$lines" "$deliveries" "$bytes" "$measured" <<'PY'
import statistics, sys
lines, deliveries, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
runs = [line.split() for line in sys.argv[4].splitlines()]
bare = [float(r[0]) for r in runs]
times = [float(r[1]) for r in runs]
peaks = [int(r[2]) / 1024 for r in runs]
ratios = [t / b for b, t in zip(bare, times)]
median = statistics.median(times)
print(f"| invoice lines | {lines:,} |")
print(f"| delivery records | {deliveries:,} |")
print(f"| CSV size | {size / 1e6:,.0f} MB |")
print(f"| runs | {len(times)} |")
print(f"| **ratio to the bare parse, median (worst)** | **{statistics.median(ratios):.2f}** ({max(ratios):.2f}) |")
print(f"| wall time, median (best) | {median:.2f} s ({min(times):.2f} s) |")
print(f"| bare parse of the same files, median (best) | {statistics.median(bare):.2f} s ({min(bare):.2f} s) |")
print(f"| invoice lines per second, median | {lines / median:,.0f} |")
print(f"| peak memory (max RSS), worst run | {max(peaks):,.0f} MiB |")
PY
)
echo "$summary"

# replace_section NAME TEXT: puts TEXT between NAME's markers in docs/performance.md.
replace_section() {
  python3 - docs/performance.md "$1" "$2" <<'PY'
import re, sys
path, name, section = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()
pattern = rf"<!-- {name}:start -->.*<!-- {name}:end -->"
if not re.search(pattern, text, flags=re.S):
    sys.exit(f"{path} has no {name} markers")
text = re.sub(pattern, lambda _: f"<!-- {name}:start -->\n{section}\n<!-- {name}:end -->", text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
}

machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
replace_section bench-audit "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-audit.sh\` on $machine, release build, files in the page cache:

| | |
|---|---|
$summary

Every run's findings were checked against the planted truth: $(tail -n1 "$dir/audit.log")"
echo "updated docs/performance.md" >&2

[ "$sizes" = 0 ] && exit 0

rows=""
for part in 8 4 2 1 0.5; do
  n=$(python3 -c "print(int($customers / $part))")
  if [ "$n" = "$customers" ]; then
    d=$dir
  else
    d=${dir}-sizes/customers-$n
  fi
  generate "$d" "$n"
  d_lines=$(( $(wc -l < "$d/invoice_lines.csv") - 1 ))
  d_bytes=$(cat "$d"/*.csv | wc -c)
  rows+="$n $d_lines $d_bytes $(measure "$d" "$size_runs" | tr '\n' ' ')"$'\n'
done

table=$(python3 - "$rows" docs/audit-sizes.svg <<'PY'
import statistics, sys
rows = []
for line in sys.argv[1].strip().splitlines():
    f = line.split()
    customers, lines, size = int(f[0]), int(f[1]), int(f[2])
    runs = [f[i:i + 3] for i in range(3, len(f), 3)]
    bare = statistics.median(float(r[0]) for r in runs)
    seconds = statistics.median(float(r[1]) for r in runs)
    ratio = statistics.median(float(r[1]) / float(r[0]) for r in runs)
    peak = max(int(r[2]) for r in runs) / 1024
    rows.append((customers, lines, size, bare, seconds, ratio, peak))
base = rows[-2]  # the whole set
print("| customers | invoice lines | CSV size | audit, median | bare parse | ratio | peak memory | s per million lines | MiB per million lines |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for customers, lines, size, bare, seconds, ratio, peak in rows:
    print(f"| {customers:,} | {lines:,} | {size / 1e6:,.0f} MB | {seconds:.2f} s | {bare:.2f} s | {ratio:.2f} | {peak:,.0f} MiB | {seconds / lines * 1e6:.2f} | {peak / lines * 1e6:,.0f} |")

# The chart: time and memory against invoice lines, each against the straight line through
# the origin and the whole set's point, so a bend or a step shows.
width, height, left, bottom, top, right = 640, 360, 60, 40, 20, 60
max_lines = max(r[1] for r in rows) * 1.05
max_seconds = max(r[4] for r in rows) * 1.15
max_peak = max(r[6] for r in rows) * 1.15
x = lambda v: left + v / max_lines * (width - left - right)
y = lambda v, top_value: height - bottom - v / top_value * (height - bottom - top)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
       f'<title>redress audit: time and peak memory against invoice lines</title>',
       f'<rect width="{width}" height="{height}" fill="white"/>',
       f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#444"/>',
       f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#1d70b8"/>',
       f'<line x1="{width - right}" y1="{top}" x2="{width - right}" y2="{height - bottom}" stroke="#d4351c"/>']
for i in range(6):
    v = max_lines / 1.05 * i / 5
    svg.append(f'<text x="{x(v):.1f}" y="{height - bottom + 16}" text-anchor="middle">{v / 1e6:.1f}M</text>')
    s = max_seconds * i / 5
    svg.append(f'<text x="{left - 6}" y="{y(s, max_seconds) + 4:.1f}" text-anchor="end" fill="#1d70b8">{s:.1f} s</text>')
    p = max_peak * i / 5
    svg.append(f'<text x="{width - right + 6}" y="{y(p, max_peak) + 4:.1f}" fill="#d4351c">{p / 1024:.1f} GiB</text>')
svg.append(f'<text x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">invoice lines (deliveries twice as many)</text>')
for index, colour, top_value, name in ((4, "#1d70b8", max_seconds, "audit time"), (6, "#d4351c", max_peak, "peak memory")):
    slope = base[index] / base[1]
    svg.append(f'<line x1="{x(0)}" y1="{y(0, top_value)}" x2="{x(max_lines):.1f}" y2="{y(slope * max_lines, top_value):.1f}" stroke="{colour}" stroke-dasharray="4 4" opacity="0.5"/>')
    points = " ".join(f"{x(r[1]):.1f},{y(r[index], top_value):.1f}" for r in rows)
    svg.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for r in rows:
        svg.append(f'<circle cx="{x(r[1]):.1f}" cy="{y(r[index], top_value):.1f}" r="3.5" fill="{colour}"/>')
svg.append(f'<text x="{left + 10}" y="{top + 14}" fill="#1d70b8">● audit time (median)</text>')
svg.append(f'<text x="{left + 10}" y="{top + 30}" fill="#d4351c">● peak memory</text>')
svg.append(f'<text x="{left + 10}" y="{top + 46}" fill="#505a5f">dashed: proportional to size, through the whole set</text>')
svg.append("</svg>")
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(svg) + "\n")
PY
)
echo "$table"
replace_section bench-audit-sizes "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-audit.sh\` on $machine, $size_runs runs at each size, every size's findings checked against its planted truth:

$table

![Audit time and peak memory against invoice lines](audit-sizes.svg)"
echo "updated docs/performance.md and docs/audit-sizes.svg" >&2
