//! `redress import DIR`: loads a billing-data v1 export into the database, all or nothing.

use super::database::{DatabaseArgs, runtime};
use super::{cli_actor, read_or_report};
use crate::progress::ReadingBar;
use clap::Args;
use redress_import::ReadOptions;
use redress_service::{ImportOutcome, Redress};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `redress import`.
#[derive(Args)]
pub struct ImportArgs {
    /// A billing-data v1 directory.
    pub dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Reads, checks and writes the export, disputes included, in one transaction. Rows are
/// upserted by id: importing the same or an updated export again duplicates nothing. The rows
/// of `disputes.csv` become disputes (channel `import`), verified like any other; one already
/// stored is left as it is.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = ReadingBar::for_dir(&args.dir);
    let data = Arc::new(read_or_report(
        &args.dir,
        ReadOptions::default(),
        &bar,
        "imported",
    )?);
    bar.message("writing");
    let outcome = runtime()?.block_on(async {
        let redress = Redress::open(&args.database.location(), Default::default()).await?;
        let outcome = redress
            .billing()
            .import_export(data, &cli_actor("import"))
            .await?;
        redress.operations().close().await;
        anyhow::Ok(outcome)
    })?;
    let ImportOutcome {
        counts,
        opened,
        already_stored: existing,
    } = outcome;
    bar.finish();
    eprintln!(
        "imported {} customers, {} contracts, {} price rows, {} deliveries, {} invoices with {} lines, \
         {} payments and {} notices, and opened {} disputes ({} already there) in {:.1} s",
        counts.customers,
        counts.contracts,
        counts.prices,
        counts.deliveries,
        counts.invoices,
        counts.invoice_lines,
        counts.payments,
        counts.notices,
        opened,
        existing,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
