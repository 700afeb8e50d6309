//! The report for people: what was read, counts and money by kind and currency, the findings
//! (most money first within each currency), and the disputes' verdicts.

use redress_audit::report::summarize;
use redress_audit::{Audit, Finding};
use redress_domain::BillingData;
use std::io::{self, Write};
use std::path::Path;

/// Writes the tables.
pub fn write(out: &mut dyn Write, dir: &Path, data: &BillingData, audit: &Audit) -> io::Result<()> {
    writeln!(out, "Audit of {}", dir.display())?;
    writeln!(
        out,
        "  {} customers, {} contracts, {} invoices with {} lines, {} deliveries, {} payments, {} notices, {} disputes",
        data.customers.len(),
        data.contracts.len(),
        data.invoices.len(),
        data.lines.len(),
        data.deliveries.records.len(),
        data.payments.len(),
        data.notices.len(),
        data.disputes.len()
    )?;
    if audit.findings.is_empty() {
        writeln!(out, "\nNo billing errors found.")?;
    } else {
        writeln!(out, "\nFindings by kind and currency")?;
        let mut rows = vec![cells([
            "kind",
            "currency",
            "count",
            "overcharged",
            "undercharged",
            "net",
        ])];
        for ((kind, code), (currency, tally)) in summarize(&audit.findings) {
            rows.push(vec![
                kind.as_str().to_owned(),
                code.to_owned(),
                tally.count.to_string(),
                currency.format(tally.overcharged),
                currency.format(tally.undercharged),
                currency.format(tally.net()),
            ]);
        }
        print_table(out, &rows, &[false, false, true, true, true, true])?;

        writeln!(
            out,
            "\nFindings, most money first (positive: the customer was charged too much)"
        )?;
        let mut order: Vec<&Finding> = audit.findings.iter().collect();
        order.sort_by(|a, b| {
            (a.currency.code(), b.impact.abs(), a.kind).cmp(&(
                b.currency.code(),
                a.impact.abs(),
                b.kind,
            ))
        });
        let mut rows = vec![cells([
            "impact", "currency", "kind", "contract", "invoice", "line", "why",
        ])];
        for f in order {
            rows.push(vec![
                f.currency.format(f.impact),
                f.currency.code().to_owned(),
                f.kind.as_str().to_owned(),
                data.contract_id(f.contract).to_owned(),
                f.invoice
                    .map_or("-".to_owned(), |i| data.invoice_id(i).to_owned()),
                f.line_no.map_or("-".to_owned(), |n| n.to_string()),
                f.evidence.explanation.clone(),
            ]);
        }
        print_table(out, &rows, &[true, false, false, false, false, true, false])?;
    }
    if !audit.verdicts.is_empty() {
        writeln!(out, "\nDisputes")?;
        let mut rows = vec![cells([
            "dispute",
            "invoice",
            "line",
            "claimed",
            "verdict",
            "adjustment",
            "currency",
        ])];
        for v in &audit.verdicts {
            let dispute = &data.disputes[v.dispute];
            let currency = data.invoice(dispute.invoice).currency;
            rows.push(vec![
                data.dispute_ids.get(v.dispute).to_owned(),
                data.invoice_id(dispute.invoice).to_owned(),
                dispute.line_no.map_or("all".to_owned(), |n| n.to_string()),
                currency.format(dispute.claimed_amount),
                v.verdict.as_str().to_owned(),
                currency.format(v.adjustment),
                currency.code().to_owned(),
            ]);
        }
        print_table(out, &rows, &[false, false, true, true, false, true, false])?;
    }
    Ok(())
}

fn cells<const N: usize>(names: [&str; N]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Prints rows in aligned columns; `right[i]` right-aligns column `i` (numbers). The last
/// column is never padded, so long explanations do not push trailing spaces.
fn print_table(out: &mut dyn Write, rows: &[Vec<String>], right: &[bool]) -> io::Result<()> {
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            line.push(' ');
            let pad = widths[c] - cell.chars().count();
            if c + 1 == columns && !right[c] {
                line.push_str(cell);
            } else if right[c] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
