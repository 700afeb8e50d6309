//! `redress import DIR`: loads a billing-data v1 export into the database, all or nothing.

use super::database::{DatabaseArgs, runtime};
use crate::InvalidInput;
use crate::progress::ReadingBar;
use clap::Args;
use redress_import::{ImportError, read_billing_data};
use redress_service::open_imported_disputes;
use redress_storage::Store;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `redress import`.
#[derive(Args)]
pub struct ImportArgs {
    /// A billing-data v1 directory.
    pub dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Reads, checks and writes the export. Rows are upserted by id: importing the same or an
/// updated export again duplicates nothing. The rows of `disputes.csv` become disputes
/// (channel `import`), verified like any other; one already stored is left as it is.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = ReadingBar::for_dir(&args.dir);
    let data = match read_billing_data(&args.dir, &bar) {
        Ok(data) => data,
        Err(ImportError::Invalid(problems)) => {
            bar.finish();
            eprint!("{problems}");
            eprintln!(
                "error: {} has {} problem(s); nothing was imported",
                args.dir.display(),
                problems.total()
            );
            return Err(InvalidInput.into());
        }
        Err(e) => {
            bar.finish();
            eprintln!("error: {e}");
            return Err(InvalidInput.into());
        }
    };
    bar.message("writing");
    let counts = runtime()?.block_on(async {
        let store = Store::open(&args.database.location()).await?;
        let actor = format!(
            "redress import ({})",
            std::env::var("USER").unwrap_or_else(|_| "unknown user".into())
        );
        let counts = store.import(&data, &actor).await?;
        let disputes = open_imported_disputes(&store, &data, &actor).await?;
        store.close().await;
        anyhow::Ok((counts, disputes))
    })?;
    let (counts, (opened, existing)) = counts;
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
