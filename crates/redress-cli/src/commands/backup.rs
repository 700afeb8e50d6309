//! `redress backup FILE` and `redress restore FILE`: the embedded database copied while
//! servers write, and a copy checked and put back.

use super::database::{DatabaseArgs, runtime};
use crate::InvalidInput;
use clap::Args;
use redress_service::Redress;
use redress_service::records::{BackupError, Census};
use std::path::PathBuf;

/// Arguments of `redress backup`.
#[derive(Args)]
pub struct BackupArgs {
    /// The backup to write (a SQLite file); refused if it exists.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Arguments of `redress restore`.
#[derive(Args)]
pub struct RestoreArgs {
    /// The backup to restore (written by `redress backup`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Put the backup in place of a database that is there (kept beside it as
    /// `redress.db.replaced-TIME`).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Writes the backup, online: a server may go on writing meanwhile.
pub fn back_up(args: BackupArgs) -> anyhow::Result<()> {
    let location = args.database.location();
    if location.sqlite_file()?.is_none() {
        return Err(refused(BackupError::NotEmbedded));
    }
    runtime()?.block_on(async {
        let redress = Redress::connect(&location).await?;
        let backed_up = redress.operations().back_up(&args.file).await;
        redress.operations().close().await;
        let backed_up = backed_up.map_err(refused)?;
        eprintln!(
            "backed up the database to {} ({} bytes); `redress restore {}` puts it back",
            backed_up.file.display(),
            backed_up.bytes,
            backed_up.file.display()
        );
        Ok(())
    })
}

/// Checks the backup and puts it in place, with no Redress process running on the database.
pub fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let restored = redress_service::operations::restore(
            &args.file,
            &args.database.location(),
            args.replace,
        )
        .await
        .map_err(refused)?;
        eprintln!(
            "restored {}: {}",
            args.file.display(),
            census(&restored.census)
        );
        if let Some(kept) = restored.replaced {
            eprintln!("the database it replaced is kept as {}", kept.display());
        }
        Ok(())
    })
}

/// What a database holds, in words.
fn census(census: &Census) -> String {
    format!(
        "the audit log's {} events verify, {} ledger postings balance; {} disputes, {} credit notes",
        census.events, census.ledger_postings, census.disputes, census.credit_notes
    )
}

/// A refusal the user can act on (exit 2, said on stderr), or a failure.
fn refused(e: BackupError) -> anyhow::Error {
    match e {
        BackupError::Storage(e) => e.into(),
        BackupError::File { .. } => anyhow::Error::new(e),
        refusal => {
            eprintln!("error: {refusal}");
            InvalidInput.into()
        }
    }
}
