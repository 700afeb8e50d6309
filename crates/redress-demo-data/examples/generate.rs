//! Generates demo billing data: `cargo run --release -p redress-demo-data --example generate --
//! DIR [CUSTOMERS] [MONTHS] [SEED] [ERROR_RATE]`, and reports rows written and rows per second.

use redress_demo_data::{DemoOptions, generate};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: generate DIR [CUSTOMERS] [MONTHS] [SEED] [ERROR_RATE]");
        std::process::exit(2);
    };
    let defaults = DemoOptions::default();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let options = DemoOptions {
        customers: arg(1).map_or(defaults.customers, |s| s.parse().expect("CUSTOMERS")),
        months: arg(2).map_or(defaults.months, |s| s.parse().expect("MONTHS")),
        seed: arg(3).map_or(defaults.seed, |s| s.parse().expect("SEED")),
        error_rate: arg(4).map_or(defaults.error_rate, |s| s.parse().expect("ERROR_RATE")),
        ..defaults
    };
    let started = Instant::now();
    let summary = match generate(dir.as_ref(), &options) {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let rows = summary.customers
        + summary.contracts
        + summary.invoices
        + summary.invoice_lines
        + summary.deliveries
        + summary.payments
        + summary.notices
        + summary.disputes;
    println!("{summary:#?}");
    println!(
        "{rows} rows in {seconds:.2} s: {:.0} rows/s ({:.0} invoice lines/s)",
        rows as f64 / seconds,
        summary.invoice_lines as f64 / seconds
    );
}
