//! A plain, slow reading of rules R1–R8 over a generated directory, written from the spec and
//! independently of the generator, so the tests can check that `truth.jsonl` holds exactly the
//! findings the data gives: the planted errors, with no side effect the generator overlooked.
//!
//! It is deliberately naive (maps, linear scans) and only meant for small directories.

use redress_domain::{Currency, Date, Decimal, parse_date, parse_decimal};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Rows of a CSV file as maps from column name to value.
pub fn read(dir: &Path, name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join(name)).expect("readable CSV");
    let headers = reader.headers().expect("a header row").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed record");
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn d(s: &str) -> Decimal {
    parse_decimal(s).unwrap_or_else(|e| panic!("decimal {s:?}: {e}"))
}

fn od(s: &str) -> Decimal {
    if s.is_empty() { Decimal::ZERO } else { d(s) }
}

fn date(s: &str) -> Date {
    parse_date(s).unwrap_or_else(|e| panic!("date {s:?}: {e}"))
}

fn odate(s: &str) -> Option<Date> {
    (!s.is_empty()).then(|| date(s))
}

fn factor(discount: Decimal) -> Decimal {
    Decimal::ONE - discount / Decimal::ONE_HUNDRED
}

fn money(cur: Currency, x: Decimal) -> String {
    let r = cur.round(x);
    cur.format(if r.is_zero() { Decimal::ZERO } else { r })
}

struct Contract {
    currency: Currency,
    start: Date,
    end: Option<Date>,
    late_pct: Decimal,
    grace: i64,
    tax: Decimal,
}

struct PriceRow {
    price: Decimal,
    discount: Decimal,
    from: Date,
    to: Option<Date>,
}

struct Invoice {
    contract: String,
    issue: Date,
    due: Date,
    subtotal: Decimal,
    tax: Decimal,
    total: Decimal,
}

struct Line {
    invoice: String,
    no: u32,
    late_fee: bool,
    sku: String,
    ps: Option<Date>,
    pe: Option<Date>,
    q: Decimal,
    up: Decimal,
    disc: Decimal,
    amount: Decimal,
    late_fee_for: String,
}

/// Why a late fee is unwarranted, for tests that want both causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwarranted {
    PaidInTime,
    NoOverdueNotice,
}

/// What the rules find: finding and verdict objects as the audit writes them, and the cause
/// of each `late_fee_unwarranted`.
pub struct Audit {
    pub records: Vec<Value>,
    pub unwarranted: Vec<Unwarranted>,
}

/// Applies R1–R8 and the dispute verdicts to the directory.
pub fn audit(dir: &Path) -> Audit {
    let contracts: HashMap<String, Contract> = read(dir, "contracts.csv")
        .into_iter()
        .map(|r| {
            let c = Contract {
                currency: Currency::from_code(&r["currency"]).unwrap(),
                start: date(&r["start_date"]),
                end: odate(&r["end_date"]),
                late_pct: d(&r["late_fee_percent"]),
                grace: r["late_fee_grace_days"].parse().unwrap(),
                tax: d(&r["tax_rate_percent"]),
            };
            (r["contract_id"].clone(), c)
        })
        .collect();
    let mut prices: HashMap<(String, String), Vec<PriceRow>> = HashMap::new();
    for r in read(dir, "prices.csv") {
        prices
            .entry((r["contract_id"].clone(), r["sku"].clone()))
            .or_default()
            .push(PriceRow {
                price: d(&r["unit_price"]),
                discount: od(&r["discount_percent"]),
                from: date(&r["valid_from"]),
                to: odate(&r["valid_to"]),
            });
    }
    let price_on = |contract: &str, sku: &str, day: Date| -> Option<&PriceRow> {
        prices
            .get(&(contract.to_owned(), sku.to_owned()))?
            .iter()
            .find(|p| p.from <= day && p.to.is_none_or(|t| day <= t))
    };
    let mut deliveries: HashMap<(String, String), Vec<(Date, Decimal)>> = HashMap::new();
    for r in read(dir, "deliveries.csv") {
        deliveries
            .entry((r["contract_id"].clone(), r["sku"].clone()))
            .or_default()
            .push((date(&r["delivered_on"]), d(&r["quantity"])));
    }
    let invoices: HashMap<String, Invoice> = read(dir, "invoices.csv")
        .into_iter()
        .map(|r| {
            let i = Invoice {
                contract: r["contract_id"].clone(),
                issue: date(&r["issue_date"]),
                due: date(&r["due_date"]),
                subtotal: d(&r["subtotal"]),
                tax: d(&r["tax_total"]),
                total: d(&r["total"]),
            };
            (r["invoice_id"].clone(), i)
        })
        .collect();
    let mut lines: Vec<Line> = read(dir, "invoice_lines.csv")
        .into_iter()
        .map(|r| Line {
            invoice: r["invoice_id"].clone(),
            no: r["line_no"].parse().unwrap(),
            late_fee: &r["kind"] == "late_fee",
            sku: r["sku"].clone(),
            ps: odate(&r["period_start"]),
            pe: odate(&r["period_end"]),
            q: d(&r["quantity"]),
            up: d(&r["unit_price"]),
            disc: od(&r["discount_percent"]),
            amount: d(&r["amount"]),
            late_fee_for: r["late_fee_for"].clone(),
        })
        .collect();
    // The order of R3 and R7: issue date, invoice id, line number.
    lines.sort_by(|a, b| {
        let (ia, ib) = (&invoices[&a.invoice], &invoices[&b.invoice]);
        (ia.issue, &a.invoice, a.no).cmp(&(ib.issue, &b.invoice, b.no))
    });
    let mut payments: HashMap<String, Vec<(Date, Decimal)>> = HashMap::new();
    for r in read(dir, "payments.csv") {
        payments
            .entry(r["invoice_id"].clone())
            .or_default()
            .push((date(&r["paid_on"]), d(&r["amount"])));
    }
    let mut notices: HashMap<String, Vec<(Date, String)>> = HashMap::new();
    for r in read(dir, "notices.csv") {
        notices
            .entry(r["invoice_id"].clone())
            .or_default()
            .push((date(&r["sent_on"]), r["kind"].clone()));
    }

    // (kind, invoice, line, contract, sku, period_start, impact)
    struct F {
        kind: &'static str,
        invoice: Option<String>,
        line: Option<u32>,
        contract: String,
        sku: Option<String>,
        period_start: Option<Date>,
        impact: Decimal,
    }
    let mut found: Vec<F> = Vec::new();
    let mut unwarranted = Vec::new();
    let mut seen_charges = std::collections::HashSet::new();
    let mut flagged = vec![false; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        if l.late_fee {
            continue;
        }
        let inv = &invoices[&l.invoice];
        let c = &contracts[&inv.contract];
        let cur = c.currency;
        let (ps, pe) = (l.ps.unwrap(), l.pe.unwrap());
        let key = (
            inv.contract.clone(),
            l.sku.clone(),
            ps,
            pe,
            l.q.normalize(),
            l.up.normalize(),
        );
        let first_of_key = seen_charges.insert(key);
        let row = price_on(&inv.contract, &l.sku, ps);
        let own = cur.round(l.q * l.up * factor(l.disc));
        let finding = if ps < c.start || c.end.is_some_and(|e| pe > e) {
            Some(("outside_contract", l.amount))
        } else if let Some(row) = row {
            let fair = cur.round(l.q * row.price * factor(row.discount));
            if !first_of_key {
                Some(("duplicate_charge", l.amount))
            } else if l.up != row.price {
                Some(("price_mismatch", l.amount - fair))
            } else if l.disc != row.discount {
                Some(("discount_missing", l.amount - fair))
            } else if l.amount != own {
                Some(("line_arithmetic", l.amount - own))
            } else {
                None
            }
        } else {
            Some(("unknown_charge", l.amount))
        };
        if let Some((kind, impact)) = finding {
            flagged[i] = true;
            found.push(F {
                kind,
                invoice: Some(l.invoice.clone()),
                line: Some(l.no),
                contract: inv.contract.clone(),
                sku: Some(l.sku.clone()),
                period_start: None,
                impact,
            });
        }
    }

    // R7 groups, in a stable order.
    let mut groups: BTreeMap<(String, String, Date, Date), Vec<usize>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.late_fee && !flagged[i] {
            let contract = invoices[&l.invoice].contract.clone();
            groups
                .entry((contract, l.sku.clone(), l.ps.unwrap(), l.pe.unwrap()))
                .or_default()
                .push(i);
        }
    }
    for ((contract, sku, ps, pe), members) in &groups {
        let billed: Decimal = members.iter().map(|&i| lines[i].q).sum();
        let delivered: Decimal = deliveries
            .get(&(contract.clone(), sku.clone()))
            .map(|v| {
                v.iter()
                    .filter(|(on, _)| ps <= on && on <= pe)
                    .map(|x| x.1)
                    .sum()
            })
            .unwrap_or_default();
        if billed == delivered {
            continue;
        }
        let last = &lines[*members.last().unwrap()];
        let cur = contracts[contract].currency;
        let fair = cur.round((last.q - (billed - delivered)) * last.up * factor(last.disc));
        found.push(F {
            kind: if billed > delivered {
                "quantity_overbilled"
            } else {
                "unbilled_delivery"
            },
            invoice: Some(last.invoice.clone()),
            line: Some(last.no),
            contract: contract.clone(),
            sku: Some(sku.clone()),
            period_start: Some(*ps),
            impact: last.amount - fair,
        });
    }
    // Monthly unbilled deliveries.
    let mut periods: HashMap<(&str, &str), Vec<(Date, Date)>> = HashMap::new();
    for l in lines.iter().filter(|l| !l.late_fee) {
        let contract = invoices[&l.invoice].contract.as_str();
        periods
            .entry((contract, l.sku.as_str()))
            .or_default()
            .push((l.ps.unwrap(), l.pe.unwrap()));
    }
    let mut months: BTreeMap<(String, String, Date), Decimal> = BTreeMap::new();
    for ((contract, sku), list) in &deliveries {
        let of_sku = periods.get(&(contract.as_str(), sku.as_str()));
        for &(on, q) in list {
            let covered = of_sku.is_some_and(|v| v.iter().any(|&(ps, pe)| ps <= on && on <= pe));
            if !covered {
                let first = on.first_of_month();
                *months
                    .entry((contract.clone(), sku.clone(), first))
                    .or_default() += q;
            }
        }
    }
    for ((contract, sku, first), q) in months {
        let cur = contracts[&contract].currency;
        let impact = price_on(&contract, &sku, first)
            .map(|r| -cur.round(q * r.price * factor(r.discount)))
            .unwrap_or_default();
        found.push(F {
            kind: "unbilled_delivery",
            invoice: None,
            line: None,
            contract,
            sku: Some(sku),
            period_start: Some(first),
            impact,
        });
    }

    // R8.
    let mut by_invoice: HashMap<&str, Vec<&Line>> = HashMap::new();
    for l in &lines {
        by_invoice.entry(&l.invoice).or_default().push(l);
    }
    let mut ids: Vec<&String> = invoices.keys().collect();
    ids.sort();
    for id in ids {
        let inv = &invoices[id];
        let c = &contracts[&inv.contract];
        let cur = c.currency;
        let own = by_invoice.get(id.as_str()).cloned().unwrap_or_default();
        let s: Decimal = own.iter().map(|l| l.amount).sum();
        let mut push = |kind, line: Option<u32>, impact| {
            found.push(F {
                kind,
                invoice: Some(id.clone()),
                line,
                contract: inv.contract.clone(),
                sku: None,
                period_start: None,
                impact,
            })
        };
        let tax = cur.round(s * c.tax / Decimal::ONE_HUNDRED);
        if inv.tax != tax {
            push("tax_mismatch", None, inv.tax - tax);
        }
        if inv.subtotal != s || inv.total != s + inv.tax {
            push("total_mismatch", None, inv.total - (s + inv.tax));
        }
        let paid: Decimal = payments
            .get(id)
            .map(|v| v.iter().map(|p| p.1).sum())
            .unwrap_or_default();
        if paid > inv.total {
            push("overpayment", None, paid - inv.total);
        }
        for l in own.iter().filter(|l| l.late_fee) {
            let p = &invoices[&l.late_fee_for];
            let pc = &contracts[&p.contract];
            let grace_end = p.due.checked_add(jiff::Span::new().days(pc.grace)).unwrap();
            let paid_in_grace: Decimal = payments
                .get(&l.late_fee_for)
                .map(|v| v.iter().filter(|x| x.0 <= grace_end).map(|x| x.1).sum())
                .unwrap_or_default();
            let unpaid = p.total - paid_in_grace;
            let noticed = notices.get(&l.late_fee_for).is_some_and(|v| {
                v.iter()
                    .any(|(on, k)| k == "overdue_notice" && grace_end < *on && *on < inv.issue)
            });
            if unpaid <= Decimal::ZERO {
                unwarranted.push(Unwarranted::PaidInTime);
                push("late_fee_unwarranted", Some(l.no), l.amount);
            } else if !noticed {
                unwarranted.push(Unwarranted::NoOverdueNotice);
                push("late_fee_unwarranted", Some(l.no), l.amount);
            } else {
                let fair = pc
                    .currency
                    .round(unpaid * pc.late_pct / Decimal::ONE_HUNDRED);
                if l.amount > fair {
                    push("late_fee_excess", Some(l.no), l.amount - fair);
                }
            }
        }
    }

    let mut records: Vec<Value> = found
        .iter()
        .map(|f| {
            let cur = contracts[&f.contract].currency;
            let mut v = json!({"kind": f.kind, "contract_id": f.contract, "currency": cur.code(), "impact": money(cur, f.impact)});
            if let Some(i) = &f.invoice {
                v["invoice_id"] = json!(i);
            }
            if let Some(n) = f.line {
                v["line_no"] = json!(n);
            }
            if let Some(s) = &f.sku {
                v["sku"] = json!(s);
            }
            if let Some(p) = f.period_start {
                v["period_start"] = json!(p.to_string());
            }
            v
        })
        .collect();
    for r in read(dir, "disputes.csv") {
        let inv = &r["invoice_id"];
        let line: Option<u32> = (!r["line_no"].is_empty()).then(|| r["line_no"].parse().unwrap());
        let cur = contracts[&invoices[inv].contract].currency;
        let sum: Decimal = found
            .iter()
            .filter(|f| f.invoice.as_ref() == Some(inv) && f.kind != "overpayment")
            .filter(|f| line.is_none() || f.line == line)
            .map(|f| f.impact)
            .filter(|i| *i > Decimal::ZERO)
            .sum();
        let claimed = d(&r["claimed_amount"]);
        let verdict = if sum.is_zero() {
            "rejected"
        } else if sum >= claimed {
            "upheld"
        } else {
            "partially_upheld"
        };
        records.push(json!({"kind": "dispute", "dispute_id": r["dispute_id"], "verdict": verdict, "adjustment": money(cur, sum)}));
    }
    Audit {
        records,
        unwarranted,
    }
}

/// The records of `truth.jsonl`.
pub fn truth(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("truth.jsonl"))
        .expect("truth.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect()
}

/// Records as sorted canonical strings, to compare as multisets.
pub fn canonical(records: &[Value]) -> Vec<String> {
    // Keys sorted by hand: serde_json may be built with `preserve_order` elsewhere.
    let sorted = |r: &Value| -> String {
        let map: BTreeMap<&String, &Value> = r.as_object().expect("an object").iter().collect();
        serde_json::to_string(&map).expect("serialisable")
    };
    let mut v: Vec<String> = records.iter().map(sorted).collect();
    v.sort();
    v
}
