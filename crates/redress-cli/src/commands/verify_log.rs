//! `redress verify-log`: checks the audit log's hash chain end to end.

use super::database::{DatabaseArgs, runtime};
use crate::InvalidInput;
use clap::Args;
use redress_service::Redress;
use redress_service::records::LogError;

/// Arguments of `redress verify-log`.
#[derive(Args)]
pub struct VerifyLogArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Checks every event. Exits 0 when the chain is whole, 2 when it is broken (naming the first
/// broken event), 1 when the log cannot be read.
pub fn run(args: VerifyLogArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let redress = Redress::open(&args.database.location(), Default::default()).await?;
        let checked = redress.operations().verify_log().await;
        redress.operations().close().await;
        match checked {
            Ok(events) => {
                eprintln!(
                    "the audit log is intact: {events} events, each linked to the one before"
                );
                Ok(())
            }
            Err(LogError::Storage(e)) => Err(e.into()),
            Err(broken) => {
                eprintln!("error: the audit log is broken: {broken}");
                Err(InvalidInput.into())
            }
        }
    })
}
