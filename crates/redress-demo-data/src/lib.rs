//! Realistic demo billing data in format v1, with billing errors planted in it and the exact
//! findings and dispute verdicts they must give written beside it, in `truth.jsonl`.
//!
//! [`generate`] writes the nine CSV files of format v1 (customers, contracts, prices,
//! deliveries, invoices, invoice lines, payments, notices, disputes) and `truth.jsonl`, one JSON
//! object per planted finding and per dispute verdict, in the shape the audit's jsonl output
//! has. The demo, the end-to-end tests and the benchmark all use it.
//!
//! The data is deterministic: the same [`DemoOptions`] give byte-identical files. Each customer
//! is generated from its own random stream (the seed mixed with its index), so blocks of
//! customers are made in parallel and appended in order without changing a byte. Memory stays
//! small: only one batch of blocks is held at a time, whatever the number of customers.
//!
//! All amounts, prices and quantities are exact decimals; floating point only decides whether
//! an error is planted.

#![forbid(unsafe_code)]

mod catalog;
mod customer;
mod write;

use rayon::prelude::*;
use redress_domain::Date;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// How many customers, each with one contract (at least 1).
    pub customers: u32,
    /// How many months are billed (1 to 120), from [`DemoOptions::first_month`].
    pub months: u32,
    /// The first month billed: the month of this day (its day does not matter). January 2024
    /// by default, which the benchmarks and the tests rely on; `redress demo` bills the
    /// twelve months up to now.
    pub first_month: Date,
    /// Seed of the random choices: the same options give the same bytes.
    pub seed: u64,
    /// Probability of planting an error at each opportunity (each group of lines for one sku
    /// and month, each invoice, each late fee, each contract's end), from 0 to 1. With 0 the
    /// data is clean: the audit must find nothing. Above 0, with at least 50 customers and 6
    /// months, the first customers carry one error of every kind for sure.
    pub error_rate: f64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            customers: 200,
            months: 12,
            first_month: Date::constant(2024, 1, 1),
            seed: 42,
            error_rate: 0.02,
        }
    }
}

/// How many rows were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Rows of customers.csv.
    pub customers: u64,
    /// Rows of contracts.csv.
    pub contracts: u64,
    /// Rows of invoices.csv.
    pub invoices: u64,
    /// Rows of invoice_lines.csv.
    pub invoice_lines: u64,
    /// Rows of deliveries.csv.
    pub deliveries: u64,
    /// Rows of payments.csv.
    pub payments: u64,
    /// Rows of notices.csv.
    pub notices: u64,
    /// Rows of disputes.csv (each has a verdict in truth.jsonl).
    pub disputes: u64,
    /// Findings in truth.jsonl: the errors planted.
    pub planted_findings: u64,
}

/// Why demo data could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The options ask for something impossible.
    #[error("invalid demo-data options: {0}")]
    InvalidOptions(String),
    /// A file or directory could not be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
}

/// Customers generated together by one task; small enough to spread over the cores evenly.
const BLOCK: u64 = 256;
/// Blocks generated before they are written out: bounds memory to a few tens of megabytes.
const BATCH: u64 = 16;

/// Writes demo billing data and its truth into `dir`, creating it if needed (existing files of
/// the same names are replaced).
pub fn generate(dir: &Path, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    validate(options)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DemoError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut files = Vec::with_capacity(write::FILES.len());
    for (name, header) in write::FILES {
        let path = dir.join(name);
        let file = File::create(&path).map_err(io(&path))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        if !header.is_empty() {
            writeln!(w, "{header}").map_err(io(&path))?;
        }
        files.push((path, w));
    }

    let env = customer::Env::new(
        options.customers,
        options.months,
        options.first_month,
        options.seed,
        options.error_rate,
    );
    let customers = u64::from(options.customers);
    let mut rows = [0u64; 10];
    let mut start = 0;
    while start < customers {
        let blocks: Vec<(u64, u64)> = (0..BATCH)
            .map(|b| start + b * BLOCK)
            .filter(|&s| s < customers)
            .map(|s| (s, (s + BLOCK).min(customers)))
            .collect();
        let outs: Vec<write::Out> = blocks
            .par_iter()
            .map(|&(from, to)| {
                let mut out = write::Out::default();
                for index in from..to {
                    let data = customer::generate_customer(&env, index);
                    write::write_customer(&data, env.export_date, &mut out);
                }
                out
            })
            .collect();
        for out in outs {
            for (i, buf) in out.files.iter().enumerate() {
                let (path, w) = &mut files[i];
                w.write_all(buf).map_err(io(path))?;
                rows[i] += out.rows[i];
            }
        }
        start += BATCH * BLOCK;
    }
    for (path, mut w) in files {
        w.flush().map_err(io(&path))?;
    }
    Ok(DemoSummary {
        customers: rows[0],
        contracts: rows[1],
        invoices: rows[4],
        invoice_lines: rows[5],
        deliveries: rows[3],
        payments: rows[6],
        notices: rows[7],
        disputes: rows[8],
        planted_findings: rows[9],
    })
}

fn validate(o: &DemoOptions) -> Result<(), DemoError> {
    let bad = |m: String| Err(DemoError::InvalidOptions(m));
    if o.customers == 0 {
        return bad("customers must be at least 1".into());
    }
    if o.months == 0 || o.months > 120 {
        return bad(format!("months must be from 1 to 120, not {}", o.months));
    }
    // The window, with contracts starting up to four years and more before it, within years
    // four digits write.
    if !(1900..=9000).contains(&o.first_month.year()) {
        return bad(format!(
            "the first month must be between the years 1900 and 9000, not {}",
            o.first_month
        ));
    }
    if !(0.0..=1.0).contains(&o.error_rate) {
        return bad(format!(
            "error_rate must be from 0 to 1, not {}",
            o.error_rate
        ));
    }
    Ok(())
}
