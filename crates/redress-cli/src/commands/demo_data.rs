//! `redress demo-data DIR`: writes realistic billing data with planted errors and their truth.

use anyhow::Context;
use clap::Args;
use redress_demo_data::{DemoOptions, generate};
use std::path::PathBuf;

/// Arguments of `redress demo-data`.
#[derive(Args)]
pub struct DemoDataArgs {
    /// Where to write the CSV files and `truth.jsonl` (created if missing).
    pub dir: PathBuf,
    /// How many customers, each with one contract.
    #[arg(long, default_value_t = DemoOptions::default().customers)]
    pub customers: u32,
    /// How many months of invoices.
    #[arg(long, default_value_t = DemoOptions::default().months)]
    pub months: u32,
    /// The first month of invoices, as a day in it (YYYY-MM-DD).
    #[arg(long, default_value_t = DemoOptions::default().first_month)]
    pub first_month: redress_domain::Date,
    /// Seed of the random choices: the same seed writes the same files.
    #[arg(long, default_value_t = DemoOptions::default().seed)]
    pub seed: u64,
    /// Chance that any one opportunity for a billing error gets one planted, from 0 to 1.
    #[arg(long, default_value_t = DemoOptions::default().error_rate)]
    pub error_rate: f64,
}

/// Writes the data.
pub fn run(args: DemoDataArgs) -> anyhow::Result<()> {
    let options = DemoOptions {
        customers: args.customers,
        months: args.months,
        seed: args.seed,
        error_rate: args.error_rate,
        first_month: args.first_month,
    };
    let summary = generate(&args.dir, &options)
        .with_context(|| format!("cannot write demo data to {}", args.dir.display()))?;
    eprintln!(
        "wrote {} customers, {} invoices with {} lines, {} deliveries, {} payments, {} notices and {} disputes to {}",
        summary.customers,
        summary.invoices,
        summary.invoice_lines,
        summary.deliveries,
        summary.payments,
        summary.notices,
        summary.disputes,
        args.dir.display()
    );
    eprintln!(
        "planted {} billing errors; the findings an audit must give are in {}",
        summary.planted_findings,
        args.dir.join("truth.jsonl").display()
    );
    Ok(())
}
