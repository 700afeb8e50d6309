#!/usr/bin/env python3
"""Judges one backend's soak run (scripts/soak.sh) and, when asked, writes its figures.

    report.py WORK BACKEND ALIVE REPORT DURATION WINDOW CUSTOMERS DISPUTES \
        INTAKE_RATE LIST_RATE DESK_RATE PROFILE

Reads WORK/BACKEND-{intake,list,desk}.err (`redress-load --timeline WINDOW`) and
WORK/BACKEND-resources.txt (seconds, resident KiB, open files, database bytes, a line a window).
Fails (exit 1) when a request failed or the server died; with REPORT=1 (an hour's run) also when
memory or open files still grow at the end, or a p99 at the start or the end is above its target.
With REPORT=1 it writes docs/soak/BACKEND.csv (every window) and the backend's part of
docs/reliability.md (between `<!-- soak-BACKEND:start -->` and `<!-- soak-BACKEND:end -->`).
"""
import datetime, os, re, statistics, sys

(work, backend, alive, report, duration, window, customers, disputes,
 intake_rate, list_rate, desk_rate, profile) = sys.argv[1:13]
report, duration, window = report == "1", int(duration), int(window)
KINDS = ["intake", "list", "desk"]
# The p99 targets, in ms: issue 4's intake and list pages, issue 17's desk pages.
TARGETS = {"intake": 25.0, "list": 20.0, "desk": 100.0}
NAMES = {"intake": "intake", "list": "list pages", "desk": "desk pages"}
LINE = re.compile(r"from second (\d+): (\d+) requests, p50 ([\d.]+) ms, p90 ([\d.]+) ms, "
                  r"p99 ([\d.]+) ms, max ([\d.]+) ms, (\d+) failed")

windows = {}
failed = 0
for kind in KINDS:
    rows = []
    with open(os.path.join(work, f"{backend}-{kind}.err")) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                s, n, p50, p90, p99, top, fails = m.groups()
                rows.append({"second": int(s), "requests": int(n), "p50": float(p50),
                             "p99": float(p99), "max": float(top), "failed": int(fails)})
    # A window that ends past the run (requests due in its last moment) is partial: left out.
    rows = [r for r in rows if r["second"] + window <= duration] or rows
    windows[kind] = rows
    failed += sum(r["failed"] for r in rows)

resources = []
with open(os.path.join(work, f"{backend}-resources.txt")) as f:
    for line in f:
        parts = line.split()
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            t, rss, fds, size = map(int, parts)
            resources.append((t, rss / 1024, fds, size / 2**20))

problems = []
if alive != "yes":
    problems.append("the server died during the run")
if failed:
    problems.append(f"{failed} requests failed")

verdicts = []
count = min(len(windows[k]) for k in KINDS)
if len(resources) >= 6 and count >= 11:
    third = len(resources) // 3
    two_thirds = resources[len(resources) - third - 1]
    end = resources[-1]
    grew = end[1] - two_thirds[1]
    allowed = max(0.10 * two_thirds[1], 16.0)
    verdicts.append((grew <= allowed,
                     f"memory: {resources[0][1]:.0f} MiB at the start, {two_thirds[1]:.0f} MiB "
                     f"two thirds in, {end[1]:.0f} MiB at the end (grew {grew:+.0f} MiB in the "
                     f"last third; allowed {allowed:.0f})"))
    first_fds = max(r[2] for r in resources[:third])
    last_fds = max(r[2] for r in resources[-third:])
    verdicts.append((last_fds <= first_fds + 16,
                     f"open files: at most {first_fds} in the first third, {last_fds} in the last"))
    for kind in KINDS:
        rows = windows[kind]
        # The first window is the warm-up; the start is the next five, the end the last five.
        start = max(r["p99"] for r in rows[1:6])
        end_p99 = max(r["p99"] for r in rows[-5:])
        target = TARGETS[kind]
        verdicts.append((start <= target and end_p99 <= target,
                         f"{NAMES[kind]} p99: worst window {start:.1f} ms at the start, "
                         f"{end_p99:.1f} ms at the end (target {target:.0f} ms)"))
else:
    verdicts.append((True, "too short a run to judge growth or the p99 over time"))

for ok, words in verdicts:
    print(("ok   " if ok else "FAIL ") + words, file=sys.stderr)
for problem in problems:
    print("FAIL " + problem, file=sys.stderr)

def failed_and_resources(i):
    """Window i's failures of all loads, and the server's memory, open files and database size
    sampled then (empty when no sample was taken)."""
    cells = [str(sum(windows[k][i]["failed"] for k in KINDS))]
    if i < len(resources):
        _, rss, fds, size = resources[i]
        return cells + [f"{rss:.0f}", str(fds), f"{size:.0f}"]
    return cells + ["", "", ""]


if report:
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    os.makedirs(os.path.join(root, "docs", "soak"), exist_ok=True)
    with open(os.path.join(root, "docs", "soak", f"{backend}.csv"), "w") as f:
        f.write("second,intake_p50_ms,intake_p99_ms,list_p50_ms,list_p99_ms,desk_p50_ms,"
                "desk_p99_ms,failed,server_memory_mib,open_files,database_mib\n")
        for i in range(count):
            cells = [str(windows["intake"][i]["second"])]
            for kind in KINDS:
                cells += [f'{windows[kind][i]["p50"]:.1f}', f'{windows[kind][i]["p99"]:.1f}']
            cells += failed_and_resources(i)
            f.write(",".join(cells) + "\n")
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
    today = datetime.date.today().isoformat()
    cores = os.cpu_count()
    taken = sum(r["requests"] for r in windows["intake"])
    lines = [
        f"**{name}**, measured {today} by `BACKENDS={backend} scripts/soak.sh` on {cores} cores "
        f"({profile} build): {duration // 60} minutes of intake at {intake_rate}/s, list pages at "
        f"{list_rate}/s and desk pages at {desk_rate}/s at once, over {int(customers):,} customers' "
        f"year of billing with {int(disputes):,} disputes at the start and {taken:,} more taken. "
        f"Each window's figures are in [soak/{backend}.csv](soak/{backend}.csv); "
        + ("every window" if count <= 12 else f"one window in {count // 12}")
        + " here (p99 in ms, counted from when each request fell due; memory is the server's "
        "resident set).",
        "",
        "| Minute | Intake p99 | List p99 | Desk p99 | Failed | Server memory (MiB) "
        "| Open files | Database (MiB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    step = 1 if count <= 12 else count // 12
    shown = list(range(0, count, step))
    if count - 1 not in shown:
        shown.append(count - 1)
    for i in shown:
        row = [f'{windows["intake"][i]["second"] / 60:.0f}']
        row += [f'{windows[k][i]["p99"]:.1f}' for k in KINDS]
        row += failed_and_resources(i)
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for ok, words in verdicts:
        lines.append(f"- {'Held' if ok else '**Not held**'}: {words}.")
    for problem in problems:
        lines.append(f"- **Not held**: {problem}.")
    if not problems:
        lines.append("- Held: no request failed, and the server ran to the end.")
    doc = os.path.join(root, "docs", "reliability.md")
    text = open(doc).read()
    start, end = f"<!-- soak-{backend}:start -->", f"<!-- soak-{backend}:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + start + "\n" + "\n".join(lines) + "\n" + end + after
        open(doc, "w").write(text)
    else:
        print(f"docs/reliability.md has no {start} … {end}: figures not written", file=sys.stderr)

judged = problems or (report and not all(ok for ok, _ in verdicts))
sys.exit(1 if judged else 0)
