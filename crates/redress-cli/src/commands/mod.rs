//! One module per subcommand.

pub mod audit;
pub mod backup;
pub mod cases;
pub mod communication;
pub mod database;
pub mod demo;
pub mod demo_data;
pub mod import;
pub mod mail;
pub mod migrate;
pub mod policy;
pub mod practice;
pub mod resolutions;
pub mod serve;
pub mod token;
pub mod user;
pub mod verify_log;

use crate::InvalidInput;
use crate::progress::ReadingBar;
use redress_domain::BillingData;
use redress_import::{ImportError, ReadOptions, read_billing_data_with};
use std::path::Path;

/// Reads a billing-data directory, or lists every problem on stderr (saying that nothing was
/// `done`) and fails with [`InvalidInput`].
pub fn read_or_report(
    dir: &Path,
    options: ReadOptions,
    bar: &ReadingBar,
    done: &str,
) -> anyhow::Result<BillingData> {
    match read_billing_data_with(dir, options, bar) {
        Ok(data) => Ok(data),
        Err(ImportError::Invalid(problems)) => {
            bar.finish();
            eprint!("{problems}");
            eprintln!(
                "error: {} has {} problem(s); nothing was {done}",
                dir.display(),
                problems.total()
            );
            Err(InvalidInput.into())
        }
        Err(e) => {
            bar.finish();
            eprintln!("error: {e}");
            Err(InvalidInput.into())
        }
    }
}

/// Who is running the command, for the audit log: `redress COMMAND (USER)`.
pub fn cli_actor(command: &str) -> String {
    format!(
        "redress {command} ({})",
        std::env::var("USER").unwrap_or_else(|_| "unknown user".into())
    )
}
