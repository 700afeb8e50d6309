//! `redress audit DIR`: reads billing data, runs the audit, writes findings and verdicts.
//! `redress audit --into-cases`: audits the data stored in the database and opens an arrears
//! case for each customer under-billed, and the systemic issues.

use super::read_or_report;
use crate::output::{self, Format};
use crate::progress::ReadingBar;
use anyhow::Context;
use clap::Args;
use redress_audit::Shard;
use redress_audit::merge::{ExportSize, ReportOrder, ShardHeader, ShardReport, merge_reports};
use redress_import::ReadOptions;
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
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
    /// Audit only the customers of shard I of N (by a stable hash of the customer id), so that
    /// several machines share one export; the report is JSON lines after a line naming the
    /// shard, for `--merge`.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["into_cases", "merge"])]
    pub shard: Option<Shard>,
    /// Merge the reports of every shard of DIR (written by `--shard`) into the whole audit's
    /// report, JSON lines, instead of auditing.
    #[arg(long, value_name = "REPORT", num_args = 1.., conflicts_with = "into_cases")]
    pub merge: Vec<PathBuf>,
}

/// Runs the audit.
pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let Some(dir) = args.dir.clone() else {
        return into_cases(&args.database);
    };
    if !args.merge.is_empty() {
        return merge(&dir, &args);
    }
    let started = Instant::now();
    let bar = ReadingBar::for_dir(&dir);
    // The audit reads no descriptions or delivery references: leave them out.
    let options = ReadOptions { free_text: false };
    let data = read_or_report(&dir, options, &bar, "audited")?;
    let read = started.elapsed();
    bar.message("auditing");
    let audit = match args.shard {
        Some(shard) => redress_audit::audit_shard(&data, shard),
        None => redress_audit::audit(&data),
    };
    bar.finish();
    let audited = started.elapsed();

    let format = report_format(&args)?;
    let mut out = create_output(args.output.as_deref())?;
    let written = match args.shard {
        Some(shard) => {
            let header = ShardHeader {
                shard,
                export: ExportSize::of(&data),
            };
            serde_json::to_writer(&mut out, &header)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| output::write(format, &mut out, &dir, &data, &audit))
        }
        None => output::write(format, &mut out, &dir, &data, &audit),
    };
    written
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    if format != Format::Table || args.output.is_some() {
        let of_shard = args
            .shard
            .map_or_else(String::new, |shard| format!(" of shard {shard}"));
        eprintln!(
            "{} findings and {} dispute verdicts{of_shard} from {} invoice lines and {} deliveries \
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

/// The report's format: as asked, else by the output's extension or where it goes; JSON lines
/// whenever shards are written or merged, since only they merge.
fn report_format(args: &AuditArgs) -> anyhow::Result<Format> {
    if args.shard.is_some() || !args.merge.is_empty() {
        return match args.format {
            None | Some(Format::Jsonl) => Ok(Format::Jsonl),
            Some(_) => {
                eprintln!(
                    "error: shards' reports and their merge are JSON lines: leave out --format, \
                     or give --format jsonl"
                );
                Err(crate::InvalidInput.into())
            }
        };
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    Ok(args
        .format
        .unwrap_or_else(|| Format::default_for(args.output.as_deref(), to_terminal)))
}

/// The file to write to, or standard output.
fn create_output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Merges the shards' reports of the export in `dir` into the whole audit's report.
fn merge(dir: &Path, args: &AuditArgs) -> anyhow::Result<()> {
    report_format(args)?;
    let order = match redress_import::read_record_order(dir) {
        Ok(order) => order,
        Err(e) => {
            eprint!("{e}");
            eprintln!(
                "\nerror: the order of {}'s records cannot be read; nothing was merged",
                dir.display()
            );
            return Err(crate::InvalidInput.into());
        }
    };
    let mut reports = Vec::with_capacity(args.merge.len());
    for path in &args.merge {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        reports.push(ShardReport {
            name: path.display().to_string(),
            lines: BufReader::new(file),
        });
    }
    // Merged in memory first: a refused merge leaves no half-written report behind.
    let mut merged = Vec::new();
    let order = ReportOrder {
        contract_ids: &order.contract_ids,
        dispute_ids: &order.dispute_ids,
    };
    if let Err(e) = merge_reports(order, reports, &mut merged) {
        eprintln!("error: {e}; nothing was merged");
        return Err(crate::InvalidInput.into());
    }
    let mut out = create_output(args.output.as_deref())?;
    out.write_all(&merged)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    if args.output.is_some() {
        eprintln!(
            "merged {} shard reports into {} lines",
            args.merge.len(),
            merged.iter().filter(|&&b| b == b'\n').count()
        );
    }
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
