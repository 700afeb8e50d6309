#!/usr/bin/env python3
"""Compares an audit's JSON lines with the truth that `redress demo-data` planted.

Usage: compare-truth.py FINDINGS.jsonl TRUTH.jsonl. Exits 1 and lists the differences when a
planted finding or verdict is missing, has another amount, or an unplanted one appears.
"""
import json
import sys
from decimal import Decimal


def key(record):
    kind = record["kind"]
    if kind == "dispute":
        names = ["dispute_id", "verdict"]
    elif kind in ("unbilled_delivery", "quantity_overbilled"):
        names = ["contract_id", "invoice_id", "line_no", "sku", "period_start", "currency"]
    else:
        names = ["contract_id", "invoice_id", "line_no", "currency"]
    amount = Decimal(record.get("impact", record.get("adjustment")))
    return (kind,) + tuple(str(record.get(n, "")) for n in names), amount


def load(path):
    with open(path, encoding="utf-8") as f:
        return dict(key(json.loads(line)) for line in f if line.strip())


found, truth = load(sys.argv[1]), load(sys.argv[2])
missed = {k: v for k, v in truth.items() if found.get(k) != v}
extra = {k: v for k, v in found.items() if truth.get(k) != v}
for k, v in list(missed.items())[:20]:
    print("missed or wrong:", k, v, "found:", found.get(k))
for k, v in list(extra.items())[:20]:
    print("extra:", k, v)
print(f"{len(truth)} planted, {len(found)} found, {len(missed)} missed or wrong, {len(extra)} extra")
sys.exit(1 if missed or extra else 0)
