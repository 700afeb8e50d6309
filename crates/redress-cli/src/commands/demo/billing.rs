//! The demo's billing data: a year of a business's invoices, generated as `redress demo-data`
//! writes it and imported as `redress import` loads it (its own disputes opened and verified).

use anyhow::Context;
use redress_demo_data::{DemoOptions, DemoSummary, generate};
use redress_domain::{BillingData, Date, Decimal, parse_decimal};
use redress_import::{NoProgress, ReadOptions, read_billing_data_with};
use redress_service::{ImportOutcome, Redress};
use std::collections::BTreeSet;
use std::sync::Arc;

/// How many months of invoices the demo's business has: a year.
const MONTHS: u32 = 12;

/// How often a billing error is planted: less than `redress demo-data`'s default, so that a
/// business of 120 customers has about ten customers in arrears rather than forty.
const ERROR_RATE: f64 = 0.0075;

/// From this many customers, the generator plants one error of every kind for sure.
const EVERY_KIND_FROM: u32 = 50;

/// The error rate for `customers` customers: [`ERROR_RATE`], or for a smaller business (where
/// nothing is planted for sure) as many errors as fifty customers would have, spread over
/// fewer, so that it still has errors to find, disputes to uphold and customers in arrears.
fn error_rate(customers: u32) -> f64 {
    if customers >= EVERY_KIND_FROM {
        ERROR_RATE
    } else {
        (ERROR_RATE * f64::from(EVERY_KIND_FROM) / f64::from(customers.max(1))).min(0.1)
    }
}

/// The generated export, read back.
pub struct Generated {
    /// What was generated.
    pub summary: DemoSummary,
    /// The data, as imported.
    pub data: Arc<BillingData>,
    /// The lines over-billed on purpose, from the truth the generator wrote beside the data:
    /// what customers notice and dispute.
    pub overbilled: Vec<Overbilled>,
    /// The invoices whose tax or totals were miscomputed on purpose: voided in full, the tax
    /// recomputed would credit more than they charge, so they are not corrected.
    pub miscomputed: BTreeSet<String>,
}

/// A line over-billed on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overbilled {
    /// The kind of error (`duplicate_charge`, `price_mismatch`, …).
    pub kind: String,
    /// The invoice.
    pub invoice_id: String,
    /// The line.
    pub line_no: u32,
    /// By how much, net.
    pub impact: Decimal,
}

/// The first month of the demo's year, so that it ends just before `today`: the export is
/// taken two weeks after the last month billed, on or before `today`, and the disputes, ages
/// and deadlines a new user sees are of now, not of years ago.
fn first_month(today: Date) -> Date {
    let exported_by = today.saturating_sub(jiff::Span::new().days(14));
    let month =
        i32::from(exported_by.year()) * 12 + i32::from(exported_by.month()) - 1 - MONTHS as i32;
    Date::new(
        month.div_euclid(12) as i16,
        (month.rem_euclid(12) + 1) as i8,
        1,
    )
    .unwrap_or(Date::constant(2024, 1, 1))
}

/// Generates `customers` customers' year (deterministic for `seed`) into a temporary
/// directory and reads it back.
pub fn generate_export(customers: u32, seed: u64) -> anyhow::Result<Generated> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory for the export")?;
    let options = DemoOptions {
        customers,
        months: MONTHS,
        seed,
        error_rate: error_rate(customers),
        first_month: first_month(
            jiff::tz::TimeZone::UTC
                .to_datetime(jiff::Timestamp::now())
                .date(),
        ),
    };
    let summary = generate(dir.path(), &options).context("cannot generate the demo's data")?;
    let data = read_billing_data_with(dir.path(), ReadOptions::default(), &NoProgress)
        .context("cannot read the generated data back")?;
    let truth = std::fs::read_to_string(dir.path().join("truth.jsonl"))
        .context("cannot read the generated data's truth")?;
    Ok(Generated {
        summary,
        data: Arc::new(data),
        overbilled: overbilled(&truth),
        miscomputed: miscomputed(&truth),
    })
}

/// The invoices of `truth` whose arithmetic is wrong: a line's, the tax's or the total's.
fn miscomputed(truth: &str) -> BTreeSet<String> {
    truth
        .lines()
        .filter_map(|line| {
            let finding: serde_json::Value = serde_json::from_str(line).ok()?;
            let kind = finding["kind"].as_str()?;
            matches!(kind, "line_arithmetic" | "tax_mismatch" | "total_mismatch")
                .then(|| finding["invoice_id"].as_str().map(str::to_owned))?
        })
        .collect()
}

/// The findings of `truth` (one JSON object a line) that over-bill a line.
fn overbilled(truth: &str) -> Vec<Overbilled> {
    truth
        .lines()
        .filter_map(|line| {
            let finding: serde_json::Value = serde_json::from_str(line).ok()?;
            let impact = parse_decimal(finding["impact"].as_str()?).ok()?;
            (impact > Decimal::ZERO).then_some(())?;
            Some(Overbilled {
                kind: finding["kind"].as_str()?.to_owned(),
                invoice_id: finding["invoice_id"].as_str()?.to_owned(),
                line_no: u32::try_from(finding["line_no"].as_u64()?).ok()?,
                impact,
            })
        })
        .collect()
}

/// Imports the export into `redress`, as `operator`: its billing data and its disputes,
/// verified, in one transaction.
pub async fn import(
    redress: &Redress,
    export: &Generated,
    operator: &str,
) -> anyhow::Result<ImportOutcome> {
    redress
        .billing()
        .import_export(export.data.clone(), operator)
        .await
        .context("cannot import the demo's data")
}

#[cfg(test)]
mod tests {
    use super::first_month;
    use redress_domain::Date;

    #[test]
    fn the_demos_year_ends_with_the_month_whose_export_is_on_or_before_today() {
        // Exported on 15 November (two weeks after October, the last month billed).
        assert_eq!(
            first_month(Date::constant(2026, 12, 7)),
            Date::constant(2025, 11, 1)
        );
        assert_eq!(
            first_month(Date::constant(2026, 12, 15)),
            Date::constant(2025, 12, 1)
        );
        assert_eq!(
            first_month(Date::constant(2026, 1, 10)),
            Date::constant(2024, 12, 1)
        );
    }
}
