//! Writing customers as rows of the nine CSV files of format v1 and of `truth.jsonl`.
//!
//! Rows go into in-memory buffers, one set per block of customers, so blocks can be made in
//! parallel and appended to the files in order. Fields are quoted by RFC 4180 only when they
//! hold a comma, a quote or a line break, as spreadsheet exports do.

use crate::customer::{CustomerData, Kind, invoice_id};
use redress_domain::{Currency, Date, Decimal};
use serde::Serialize;
use std::io::Write as _;

/// The files written, in the order of [`Out::files`].
pub(crate) const FILES: [(&str, &str); 10] = [
    (
        "customers.csv",
        "customer_id,name,email,language,customer_since",
    ),
    (
        "contracts.csv",
        "contract_id,customer_id,currency,start_date,end_date,payment_terms_days,late_fee_percent,late_fee_grace_days,tax_rate_percent",
    ),
    (
        "prices.csv",
        "contract_id,sku,unit_price,discount_percent,valid_from,valid_to",
    ),
    (
        "deliveries.csv",
        "delivery_id,contract_id,sku,delivered_on,quantity,reference",
    ),
    (
        "invoices.csv",
        "invoice_id,customer_id,contract_id,issue_date,due_date,currency,subtotal,tax_total,total",
    ),
    (
        "invoice_lines.csv",
        "invoice_id,line_no,kind,sku,description,period_start,period_end,quantity,unit_price,discount_percent,amount,late_fee_for",
    ),
    (
        "payments.csv",
        "payment_id,invoice_id,paid_on,amount,method,reference",
    ),
    ("notices.csv", "notice_id,invoice_id,sent_on,kind,channel"),
    (
        "disputes.csv",
        "dispute_id,invoice_id,line_no,opened_on,reason,claimed_amount,narrative",
    ),
    ("truth.jsonl", ""),
];

const CUSTOMERS: usize = 0;
const CONTRACTS: usize = 1;
const PRICES: usize = 2;
const DELIVERIES: usize = 3;
const INVOICES: usize = 4;
const LINES: usize = 5;
const PAYMENTS: usize = 6;
const NOTICES: usize = 7;
const DISPUTES: usize = 8;
const TRUTH: usize = 9;

/// Rows written for a block of customers, per file, and how many of each.
#[derive(Default)]
pub(crate) struct Out {
    pub files: [Vec<u8>; 10],
    pub rows: [u64; 10],
}

/// A finding as the audit's jsonl writes it (the fields of fixtures/audit-v1/expected.jsonl).
#[derive(Serialize)]
struct FindingOut<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_no: Option<u32>,
    contract_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period_start: Option<String>,
    currency: &'static str,
    impact: String,
}

/// A dispute verdict as the audit's jsonl writes it.
#[derive(Serialize)]
struct VerdictOut<'a> {
    kind: &'static str,
    dispute_id: &'a str,
    verdict: &'static str,
    adjustment: String,
}

/// Appends a field, quoted when it must be.
fn text(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

fn sep(buf: &mut Vec<u8>) {
    buf.push(b',');
}

fn end(buf: &mut Vec<u8>) {
    buf.push(b'\n');
}

/// Appends `YYYY-MM-DD`; written by hand because millions of dates go through here.
fn date(buf: &mut Vec<u8>, d: Date) {
    let y = d.year() as u32;
    let (m, day) = (d.month() as u32, d.day() as u32);
    let digits = [
        y / 1000 % 10,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        10,
        m / 10,
        m % 10,
        10,
        day / 10,
        day % 10,
    ];
    buf.extend(digits.map(|x| if x == 10 { b'-' } else { b'0' + x as u8 }));
}

fn date_string(d: Date) -> String {
    let mut buf = Vec::with_capacity(10);
    date(&mut buf, d);
    String::from_utf8(buf).expect("ASCII")
}

fn decimal(buf: &mut Vec<u8>, d: Decimal) {
    write!(buf, "{d}").expect("writing to memory");
}

/// An amount with exactly its currency's decimals, never `-0`.
pub(crate) fn money(cur: Currency, amount: Decimal) -> String {
    let rounded = cur.round(amount);
    if rounded.is_zero() {
        cur.format(Decimal::ZERO)
    } else {
        cur.format(rounded)
    }
}

fn int(buf: &mut Vec<u8>, n: u64) {
    write!(buf, "{n}").expect("writing to memory");
}

/// Appends every row of customer `c`, dropping payments, notices and disputes dated after the
/// export (they have not happened yet).
pub(crate) fn write_customer(c: &CustomerData, export_date: Date, out: &mut Out) {
    let n = c.number;
    let customer_id = format!("C-{n:06}");
    let contract_id = format!("K-{n:06}");
    let k = &c.contract;
    let cur = k.currency;
    let code = cur.code();
    let f = &mut out.files;
    let rows = &mut out.rows;

    let b = &mut f[CUSTOMERS];
    text(b, &customer_id);
    sep(b);
    text(b, &c.name);
    sep(b);
    text(b, &c.email);
    sep(b);
    text(b, c.language);
    sep(b);
    date(b, c.since);
    end(b);
    rows[CUSTOMERS] += 1;

    let b = &mut f[CONTRACTS];
    text(b, &contract_id);
    sep(b);
    text(b, &customer_id);
    sep(b);
    text(b, code);
    sep(b);
    date(b, k.start);
    sep(b);
    if let Some(e) = k.end {
        date(b, e);
    }
    sep(b);
    int(b, k.terms as u64);
    sep(b);
    decimal(b, k.late_fee_percent);
    sep(b);
    int(b, k.grace as u64);
    sep(b);
    decimal(b, k.tax);
    end(b);
    rows[CONTRACTS] += 1;

    let b = &mut f[PRICES];
    for plan in &c.skus {
        for r in &plan.rows {
            text(b, &contract_id);
            sep(b);
            text(b, plan.sku.code());
            sep(b);
            decimal(b, r.unit_price);
            sep(b);
            if !(r.discount.is_zero() && r.discount_blank) {
                decimal(b, r.discount);
            }
            sep(b);
            date(b, r.from);
            sep(b);
            if let Some(to) = r.to {
                date(b, to);
            }
            end(b);
            rows[PRICES] += 1;
        }
    }

    let b = &mut f[DELIVERIES];
    for (i, d) in c.deliveries.iter().enumerate() {
        write!(b, "D-{n:06}-{:05}", i + 1).expect("writing to memory");
        sep(b);
        text(b, &contract_id);
        sep(b);
        text(b, d.sku);
        sep(b);
        date(b, d.on);
        sep(b);
        decimal(b, d.quantity);
        sep(b);
        text(b, &d.reference);
        end(b);
    }
    rows[DELIVERIES] += c.deliveries.len() as u64;

    let ids: Vec<String> = (0..c.invoices.len()).map(|i| invoice_id(n, i)).collect();
    let (mut payment_no, mut notice_no) = (0u32, 0u32);
    for (i, inv) in c.invoices.iter().enumerate() {
        let id = &ids[i];
        let b = &mut f[INVOICES];
        text(b, id);
        sep(b);
        text(b, &customer_id);
        sep(b);
        text(b, &contract_id);
        sep(b);
        date(b, inv.issue);
        sep(b);
        date(b, inv.due);
        sep(b);
        text(b, code);
        for amount in [inv.subtotal, inv.tax, inv.total] {
            sep(b);
            text(b, &money(cur, amount));
        }
        end(b);
        rows[INVOICES] += 1;

        let b = &mut f[LINES];
        for (no, l) in inv.lines.iter().enumerate() {
            text(b, id);
            sep(b);
            int(b, no as u64 + 1);
            sep(b);
            text(
                b,
                if l.late_fee_for.is_some() {
                    "late_fee"
                } else {
                    "charge"
                },
            );
            sep(b);
            text(b, l.sku);
            sep(b);
            text(b, &l.description);
            sep(b);
            if let Some((ps, pe)) = l.period {
                date(b, ps);
                sep(b);
                date(b, pe);
            } else {
                sep(b);
            }
            sep(b);
            decimal(b, l.quantity);
            sep(b);
            decimal(b, l.unit_price);
            sep(b);
            if let Some(d) = l.discount {
                decimal(b, d);
            }
            sep(b);
            text(b, &money(cur, l.amount));
            sep(b);
            if let Some(p) = l.late_fee_for {
                text(b, &ids[p]);
            }
            end(b);
        }
        rows[LINES] += inv.lines.len() as u64;

        let b = &mut f[PAYMENTS];
        for p in inv.payments.iter().filter(|p| p.paid_on <= export_date) {
            payment_no += 1;
            write!(b, "P-{n:06}-{payment_no:04}").expect("writing to memory");
            sep(b);
            text(b, id);
            sep(b);
            date(b, p.paid_on);
            sep(b);
            text(b, &money(cur, p.amount));
            sep(b);
            text(b, p.method);
            sep(b);
            text(b, &p.reference);
            end(b);
            rows[PAYMENTS] += 1;
        }

        let b = &mut f[NOTICES];
        for x in inv.notices.iter().filter(|x| x.sent_on <= export_date) {
            notice_no += 1;
            write!(b, "N-{n:06}-{notice_no:04}").expect("writing to memory");
            sep(b);
            text(b, id);
            sep(b);
            date(b, x.sent_on);
            sep(b);
            text(b, x.kind);
            sep(b);
            text(b, x.channel);
            end(b);
            rows[NOTICES] += 1;
        }
    }

    let b = &mut f[TRUTH];
    for finding in &c.findings {
        let record = FindingOut {
            kind: finding.kind.as_str(),
            invoice_id: finding.invoice.map(|i| ids[i].as_str()),
            line_no: finding.line_no,
            contract_id: &contract_id,
            sku: finding.sku,
            period_start: finding.period_start.map(date_string),
            currency: code,
            impact: money(cur, finding.impact),
        };
        serde_json::to_writer(&mut *b, &record).expect("writing to memory");
        end(b);
        debug_assert!(finding.kind != Kind::UnbilledDelivery || finding.sku.is_some());
    }
    rows[TRUTH] += c.findings.len() as u64;

    for (i, d) in c.disputes.iter().enumerate() {
        let dispute_id = format!("DSP-{n:06}-{:02}", i + 1);
        let b = &mut f[DISPUTES];
        text(b, &dispute_id);
        sep(b);
        text(b, &ids[d.invoice]);
        sep(b);
        if let Some(no) = d.line_no {
            int(b, u64::from(no));
        }
        sep(b);
        date(b, d.opened_on);
        sep(b);
        text(b, d.reason.as_str());
        sep(b);
        text(b, &money(cur, d.claimed));
        sep(b);
        text(b, &d.narrative);
        end(b);
        rows[DISPUTES] += 1;

        let b = &mut f[TRUTH];
        let record = VerdictOut {
            kind: "dispute",
            dispute_id: &dispute_id,
            verdict: d.verdict,
            adjustment: money(cur, d.adjustment),
        };
        serde_json::to_writer(&mut *b, &record).expect("writing to memory");
        end(b);
    }
}
