//! `redress audit DIR`: reads billing data, runs the audit, writes findings and verdicts.
//! `redress audit --into-cases`: audits the data stored in the database and opens an arrears
//! case for each customer under-billed, and the systemic issues.

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
    #[arg(required_unless_present = "into_cases")]
    pub dir: Option<PathBuf>,
    /// Audit the data stored in the database instead, and open an arrears case for each
    /// customer under-billed (never twice for the same findings) and the systemic issues.
    #[arg(long, conflicts_with_all = ["dir", "format", "output"])]
    pub into_cases: bool,
    #[command(flatten)]
    pub database: super::database::DatabaseArgs,
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
    let Some(dir) = args.dir.clone() else {
        return into_cases(&args.database);
    };
    let args = AuditArgs {
        dir: Some(dir.clone()),
        ..args
    };
    let started = Instant::now();
    let bar = ReadingBar::for_dir(&dir);
    // The audit reads no descriptions or delivery references: leave them out.
    let options = ReadOptions { free_text: false };
    let data = read_or_report(&dir, options, &bar, "audited")?;
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
    output::write(format, &mut out, &dir, &data, &audit)
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

/// Audits the stored data into arrears cases and systemic issues, and says what it opened.
fn into_cases(database: &super::database::DatabaseArgs) -> anyhow::Result<()> {
    super::database::runtime()?.block_on(async {
        let redress = redress_service::Redress::open(&database.location(), Default::default()).await?;
        let actor = std::env::var("USER").map_or_else(|_| "redress audit".to_owned(), |u| format!("{u} (redress audit)"));
        let found = redress.cases().find_as_operator(&actor).await?;
        println!(
            "audited {} contracts: {} findings; {} arrears cases opened, {} open already; {} systemic issues",
            found.contracts,
            found.findings,
            found.opened.len(),
            found.already_open,
            found.systemic_issues.len()
        );
        for case in &found.opened {
            println!(
                "  {} {}: {} {} under-billed on {} items ({} with tax)",
                case.id,
                case.customer_id,
                case.currency.format(case.net),
                case.currency.code(),
                case.items.len(),
                case.currency.format(case.total)
            );
        }
        for issue in &found.systemic_issues {
            let impact: Vec<String> = issue.impact.iter().map(|m| format!("{} {}", m.currency.format(m.amount), m.currency.code())).collect();
            println!(
                "  systemic: {} ({} findings at {} customers, {})",
                issue.cause,
                issue.finding_count,
                issue.customers.len(),
                impact.join(", ")
            );
        }
        Ok(())
    })
}
