//! Reads a directory of billing data, format v1, into [`redress_domain::BillingData`].
//!
//! Strict by design: every problem in every file is collected (file, line, column, what is wrong
//! and what was expected) and nothing is returned unless there are none. What makes data
//! unreadable or inconsistent *as data* is a problem here; a bill that is merely wrong (an unknown
//! SKU, bad arithmetic) is the audit's business and reads fine.
//!
//! The two large files, `invoice_lines.csv` and `deliveries.csv`, are parsed in parallel chunks.

mod csv_table;
mod files;
mod order;
mod problem;
mod read;

pub use order::{RecordOrder, read_record_order};
pub use problem::{Problem, Problems, SHOWN_PER_FILE};
pub use read::{ReadOptions, read_billing_data, read_billing_data_with};

use std::path::PathBuf;

/// Why a billing-data directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The path is not a directory.
    #[error("{0} is not a directory of billing data")]
    NotADirectory(PathBuf),
    /// The data has problems; nothing was read.
    #[error("the billing data has {n} problem(s); nothing was imported:\n{0}", n = .0.total())]
    Invalid(Problems),
}

/// Told how reading advances, so a caller can show progress. Called from several threads.
pub trait Progress: Sync {
    /// A file of `bytes` bytes is about to be read.
    fn start_file(&self, _file: &str, _bytes: u64) {}
    /// `bytes` more bytes of the current file are read.
    fn advance(&self, _bytes: u64) {}
    /// A file is read (and checked against the files before it), in `elapsed`.
    fn file_read(&self, _file: &str, _elapsed: std::time::Duration) {}
}

/// Progress that nobody watches.
pub struct NoProgress;

impl Progress for NoProgress {}
