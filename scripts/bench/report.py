#!/usr/bin/env python3
"""Writes scripts/bench-server.sh's figures into docs/performance.md, between its markers.

    report.py api RESULTS LINES DELIVERIES DISPUTES CONNECTIONS DURATION LIST_DURATION RATE LIST_RATE KIND_RATE
    report.py desk RESULTS DISPUTES CONNECTIONS DURATION LIST_DURATION RATE KIND_RATE
    report.py servers RESULTS DISPUTES CONNECTIONS DURATION RATE LIST_RATE

RESULTS holds a line per measurement: `BACKEND WHAT requests/s p50 p90 p99 failures` (what
`redress-load` prints, after the backend and what was measured); a backend's figures from an
earlier run are kept when only the other was run this time.
"""
import datetime
import glob
import sys

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "one": "one server", "two": "two servers"}


class Figures:
    """The figures of RESULTS, by backend and by what was measured."""

    def __init__(self, path):
        self.rows = {}
        for line in open(path):
            backend, what, *figures = line.split()
            self.rows.setdefault(backend, {})[what] = figures
        self.backends = [b for b in ("sqlite", "postgres", "one", "two") if b in self.rows]
        self.head = "| | " + " | ".join(NAMES[b] for b in self.backends) + " |"
        self.rule = "|---|" + "---|" * len(self.backends)

    def cell(self, backend, what, i):
        figures = self.rows[backend].get(what)
        return figures[i] if figures else "–"

    def load(self, out, what, label, bold):
        """Rows of a load's requests a second and its p50 / p90 / p99 (the p99 in bold when it
        is a target), and its failures if any."""
        out.append(f"| {label}: requests/s | " + " | ".join(
            (f"{int(self.cell(b, what, 0)):,}" if self.rows[b].get(what) else "–")
            for b in self.backends) + " |")
        p99 = (lambda v: f"**{v} ms**") if bold else (lambda v: f"{v} ms")
        out.append(f"| {label}: p50 / p90 / p99 | " + " | ".join(
            f"{self.cell(b, what, 1)} / {self.cell(b, what, 2)} / {p99(self.cell(b, what, 3))}"
            for b in self.backends) + " |")
        failures = sum(int(self.cell(b, what, 4)) for b in self.backends if self.rows[b].get(what))
        if failures:
            out.append(f"| {label}: responses other than success | " + " | ".join(
                self.cell(b, what, 4) for b in self.backends) + " |")


def cpu():
    return next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                 if l.startswith("model name")), "?")


def read(path):
    try:
        return open(path).read().strip()
    except OSError:
        return ""


def pageout_seconds():
    """After how long idle the kernel pages memory out (DAMON), if it does: the operating
    system's cache of the database files then holds only what was read in the last minute or
    so, and the rest comes from the disk again. Said with the figures, since it changes them."""
    pageout = None
    for kdamond in glob.glob("/sys/kernel/mm/damon/admin/kdamonds/[0-9]*"):
        for scheme in glob.glob(f"{kdamond}/contexts/*/schemes/[0-9]*"):
            if read(f"{kdamond}/state") == "on" and read(f"{scheme}/action") == "pageout":
                context = scheme.rsplit("/schemes/", 1)[0]
                aggregation = int(read(f"{context}/monitoring_attrs/intervals/aggr_us") or 0)
                age = int(read(f"{scheme}/access_pattern/age/min") or 0)
                pageout = aggregation * age / 1e6
    return pageout


def splice(marker, section, heading=""):
    """Puts `section` between docs/performance.md's `marker` comments (added at the end, after
    `heading`, the first time)."""
    path = "docs/performance.md"
    doc = open(path).read()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start in doc:
        doc = doc[:doc.index(start) + len(start)] + "\n" + section + "\n" + doc[doc.index(end):]
    else:
        doc += f"\n{heading}{start}\n{section}\n{end}\n"
    open(path, "w").write(doc)
    print(section)


def api(results, lines, deliveries, disputes, connections, duration, list_duration, rate,
        list_rate, kind_rate):
    f = Figures(results)
    rate = int(rate)
    pageout = pageout_seconds()
    out = [f"Measured {datetime.date.today()} by `scripts/bench-server.sh` on 2 cores ({cpu()}), release build, "
           f"`redress-load` on loopback, {int(lines):,} invoice lines and {int(deliveries):,} deliveries "
           f"in the database, and {int(disputes):,} disputes for the load. At a fixed rate, each latency "
           f"is counted from when its request fell due; the target is the p99 in bold."
           + (f" The kernel pages out memory left idle for {pageout:.0f} s (DAMON), the cache of the "
              f"database files included." if pageout else ""), ""]
    out += [f.head, f.rule]
    out.append("| `redress import`, the 2.5-million-line dataset into a fresh database | " +
               " | ".join(f"{float(f.cell(b, 'import', 0)):.1f} s" for b in f.backends) + " |")
    out.append(f"| `redress import`, the same with {int(disputes):,} disputes (bench set-up) | " +
               " | ".join(f"{float(f.cell(b, 'import', 1)):.0f} s" for b in f.backends) + " |")
    f.load(out, "intake-rate", f"intake (`POST /api/v1/disputes`) due at {rate:,}/s for {duration} s", True)
    f.load(out, "intake-flat", f"intake as fast as answered, {connections} clients, {duration} s", False)
    f.load(out, "list-rate", f"list pages, every kind mixed, due at {int(list_rate):,}/s for {duration} s", True)
    f.load(out, "list-flat", f"list pages as fast as answered, {connections} clients, {duration} s", False)
    kinds = {
        "list1": "open disputes, 50 a page",
        "list2": "one customer's disputes",
        "list3": "a reason within a month",
        "list4": "an amount range in a currency, largest first",
        "list5": "open disputes of a reason, oldest first",
        "list6": "deep pages by amount (a cursor far into the list)",
    }
    out += ["", f"List pages by kind, each on its own, due at {int(kind_rate):,}/s for {list_duration} s (p50 / p99):", ""]
    out += [f.head, f.rule]
    for what, label in kinds.items():
        out.append(f"| {label} | " + " | ".join(
            f"{f.cell(b, what, 1)} / {f.cell(b, what, 3)} ms" for b in f.backends) + " |")
    splice("bench-server", "\n".join(out))


def desk(results, disputes, connections, duration, list_duration, rate, kind_rate):
    f = Figures(results)
    out = [f"Measured {datetime.date.today()} by `PHASES=desk scripts/bench-server.sh` on 2 cores ({cpu()}), "
           f"release build, the same database as above ({int(disputes):,} disputes over the "
           f"2.5-million-line dataset), signed in to the desk as an agent; each latency counted from "
           f"when its request fell due, the whole page rendered. The target is the p99 in bold: "
           f"under 100 ms.", ""]
    out += [f.head, f.rule]
    f.load(out, "desk-rate", f"the queue and case pages mixed (half case pages), due at {int(rate):,}/s for {duration} s", True)
    f.load(out, "desk-flat", f"the same as fast as answered, {connections} clients, {duration} s", False)
    kinds = {
        "desk1": "the queue as it opens (newest first, 50 a page)",
        "desk2": "open disputes of a reason, oldest first",
        "desk3": "a search for a customer",
        "desk4": "a search for an invoice",
        "desk5": "an amount range in a currency, largest first",
        "desk6": "open disputes older than 7–90 days",
        "desk7": "the case page of a random dispute",
    }
    out += ["", f"Each page on its own, due at {int(kind_rate):,}/s for {list_duration} s (p50 / p99):", ""]
    out += [f.head, f.rule]
    for what, label in kinds.items():
        out.append(f"| {label} | " + " | ".join(
            f"{f.cell(b, what, 1)} / **{f.cell(b, what, 3)} ms**" for b in f.backends) + " |")
    splice("bench-desk", "\n".join(out),
           "## The desk: the queue and the case page (issue 17)\n\n")


def servers(results, disputes, connections, duration, rate, list_rate):
    f = Figures(results)
    connections = int(connections)
    out = [f"Measured {datetime.date.today()} by `BACKENDS=postgres PHASES=servers scripts/bench-server.sh` "
           f"on 2 cores ({cpu()}), release build: the same PostgreSQL database as above "
           f"({int(disputes):,} disputes over the 2.5-million-line dataset), the load from "
           f"`redress-load` against one `redress serve`, then against two on the same database taking "
           f"the requests in turn. As fast as answered: {connections} clients against one server, "
           f"{2 * connections} against two. At a fixed rate, each latency counted from when its request "
           f"fell due.", ""]
    out += [f.head + " two against one |", f.rule + "---|"]
    rows = [("intake-flat", f"intake as fast as answered, {duration} s"),
            ("list-flat", f"list pages as fast as answered, {duration} s"),
            ("intake-rate", f"intake due at {int(rate):,}/s for {duration} s"),
            ("list-rate", f"list pages due at {int(list_rate):,}/s for {duration} s")]
    for what, label in rows:
        one, two = (float(f.cell(b, what, 0)) if f.rows.get(b, {}).get(what) else 0 for b in ("one", "two"))
        ratio = f"{two / one:.2f}×" if one else "–"
        block = []
        f.load(block, what, label, False)
        block[0] += f" {ratio} |"
        block[1:] = [row + " |" for row in block[1:]]
        out += block
    splice("bench-servers", "\n".join(out))


if __name__ == "__main__":
    {"api": api, "desk": desk, "servers": servers}[sys.argv[1]](*sys.argv[2:])
