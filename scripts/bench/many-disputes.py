#!/usr/bin/env python3
"""Writes a disputes.csv of N disputes over an export's invoices, for the server benchmark.

    many-disputes.py EXPORT_DIR OUT_DIR N

OUT_DIR gets links to EXPORT_DIR's files and a disputes.csv of its own: N disputes of random
invoices (a third of them of one line), with every reason, claims in each invoice's currency,
opened within 60 days of the invoice, and narratives in several languages. The same N gives
the same file. Also writes OUT_DIR/invoices.txt (invoice ids) and OUT_DIR/lines.txt
(`invoice line_no` pairs) for the load generator.
"""
import csv, os, random, sys

export, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
for name in os.listdir(export):
    if name.endswith(".csv") and name != "disputes.csv":
        link = os.path.join(out, name)
        if not os.path.exists(link):
            os.symlink(os.path.abspath(os.path.join(export, name)), link)

decimals = {"JPY": 0, "KWD": 3}
invoices = []
with open(os.path.join(export, "invoices.csv"), newline="") as f:
    for row in csv.DictReader(f):
        invoices.append((row["invoice_id"], row["issue_date"], row["currency"], row["subtotal"]))
lines = {}
with open(os.path.join(export, "invoice_lines.csv"), newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    inv, no = header.index("invoice_id"), header.index("line_no")
    for row in reader:
        lines[row[inv]] = max(lines.get(row[inv], 0), int(row[no]))

reasons = ["overcharged", "duplicate", "not_received", "wrong_price", "late_fee", "other"]
narratives = [
    "We were charged more than the contract says.",
    "This line was billed twice.",
    "Nous n'avons jamais reçu cette livraison.",
    "Der Preis stimmt nicht mit dem Vertrag überein.",
    "請求額が契約と異なります。",
    "The late fee is unfair: we paid on time.",
]
rng = random.Random(n)
with open(os.path.join(out, "disputes.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["dispute_id", "invoice_id", "line_no", "opened_on", "reason", "claimed_amount", "narrative"])
    for i in range(n):
        invoice, issued, currency, subtotal = invoices[rng.randrange(len(invoices))]
        line = str(rng.randint(1, lines[invoice])) if invoice in lines and rng.random() < 0.33 else ""
        y, m, d = map(int, issued.split("-"))
        day = min(28, d + rng.randint(0, 27))
        month = m + rng.randint(0, 1)
        y, month = (y + 1, month - 12) if month > 12 else (y, month)
        places = decimals.get(currency, 2)
        claim = round(rng.uniform(0, max(float(subtotal), 1.0)), places)
        claim = f"{claim:.{places}f}"
        w.writerow([f"DSP-B{i:07d}", invoice, line, f"{y:04d}-{month:02d}-{day:02d}",
                    rng.choice(reasons), claim, rng.choice(narratives)])

with open(os.path.join(out, "invoices.txt"), "w") as f:
    for invoice, *_ in invoices:
        f.write(invoice + "\n")
with open(os.path.join(out, "lines.txt"), "w") as f:
    for invoice, count in lines.items():
        f.write(f"{invoice} {rng.randint(1, count)}\n")
