//! JSON and JSON lines.

use redress_audit::Audit;
use redress_audit::report::{finding_record, summarize, verdict_record};
use redress_domain::BillingData;
use serde::Serialize;
use std::io::{self, Write};

/// One object per line: every finding, then every dispute verdict. Nothing else.
pub fn write_lines(out: &mut dyn Write, data: &BillingData, audit: &Audit) -> io::Result<()> {
    for finding in &audit.findings {
        serde_json::to_writer(&mut *out, &finding_record(data, finding))?;
        out.write_all(b"\n")?;
    }
    for verdict in &audit.verdicts {
        serde_json::to_writer(&mut *out, &verdict_record(data, &audit.findings, verdict))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A summary line of the JSON document.
#[derive(Serialize)]
struct SummaryRow {
    kind: &'static str,
    currency: &'static str,
    count: u64,
    overcharged: String,
    undercharged: String,
    net: String,
}

/// One document: `{"summary": [...], "findings": [...], "disputes": [...]}`.
pub fn write_document(out: &mut dyn Write, data: &BillingData, audit: &Audit) -> io::Result<()> {
    let summary: Vec<SummaryRow> = summarize(&audit.findings)
        .into_iter()
        .map(|((kind, code), (currency, tally))| SummaryRow {
            kind: kind.as_str(),
            currency: code,
            count: tally.count,
            overcharged: currency.format(tally.overcharged),
            undercharged: currency.format(tally.undercharged),
            net: currency.format(tally.net()),
        })
        .collect();
    // Written piece by piece so a large report is never held twice in memory.
    out.write_all(b"{\"summary\":")?;
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b",\"findings\":[")?;
    for (i, finding) in audit.findings.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &finding_record(data, finding))?;
    }
    out.write_all(b"],\"disputes\":[")?;
    for (i, verdict) in audit.verdicts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &verdict_record(data, &audit.findings, verdict))?;
    }
    out.write_all(b"]}\n")
}
