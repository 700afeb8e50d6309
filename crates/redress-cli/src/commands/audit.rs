//! `redress audit DIR`: reads billing data, runs the audit, writes findings and verdicts.

use super::read_or_report;
use crate::output::{self, Format};
use crate::progress::ReadingBar;
use anyhow::Context;
use clap::Args;
use redress_import::ReadOptions;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `redress audit`.
#[derive(Args)]
pub struct AuditArgs {
    /// A billing-data v1 directory (customers.csv, contracts.csv, prices.csv, deliveries.csv,
    /// invoices.csv, invoice_lines.csv, payments.csv, notices.csv, optionally disputes.csv).
    pub dir: PathBuf,
    /// `table` for people (the default on a terminal), `json` for one document, `jsonl` for one
    /// object per finding and per dispute verdict (the default otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs the audit.
pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = ReadingBar::for_dir(&args.dir);
    // The audit reads no descriptions or delivery references: leave them out.
    let options = ReadOptions { free_text: false };
    let data = read_or_report(&args.dir, options, &bar, "audited")?;
    let read = started.elapsed();
    bar.message("auditing");
    let audit = redress_audit::audit(&data);
    bar.finish();
    let audited = started.elapsed();

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = args
        .format
        .unwrap_or_else(|| Format::default_for(args.output.as_deref(), to_terminal));
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    output::write(format, &mut out, &args.dir, &data, &audit)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    if format != Format::Table || args.output.is_some() {
        eprintln!(
            "{} findings and {} dispute verdicts from {} invoice lines and {} deliveries \
             (read {:.2} s, audited {:.2} s)",
            audit.findings.len(),
            audit.verdicts.len(),
            data.lines.len(),
            data.deliveries.records.len(),
            read.as_secs_f64(),
            (audited - read).as_secs_f64()
        );
    }
    // The process ends here: leave the gigabyte of records to the operating system rather
    // than free millions of allocations one by one.
    std::mem::forget((audit, data));
    Ok(())
}
