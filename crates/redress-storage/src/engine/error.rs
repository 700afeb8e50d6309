//! Why the database could not do what was asked: one error for the whole storage, from a URL
//! it cannot use to a value it cannot read back.

use std::path::PathBuf;

/// Why the database could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A URL whose scheme is neither `sqlite:` nor `postgres:`.
    #[error("`{0}` is not a database URL Redress can use (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database cannot be reached or opened.
    #[error("cannot open the database {url}: {reason}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// Why, as the database said.
        reason: String,
    },
    /// A migration already applied to this database differs from this version's.
    #[error(
        "migration {version} ({description}) was changed after it was applied to this database"
    )]
    MigrationChanged {
        /// Its version.
        version: i64,
        /// What it does.
        description: &'static str,
    },
    /// A migration failed; nothing of it was applied.
    #[error("migration {version} ({description}) failed: {reason}")]
    MigrationFailed {
        /// Its version.
        version: i64,
        /// What it does.
        description: &'static str,
        /// Why, as the database said.
        reason: String,
    },
    /// A stored value that cannot be read back: the database was changed behind Redress's back.
    #[error("the database holds a value Redress cannot read: {0}")]
    Corrupt(String),
    /// One stored value that does not read back as what its column holds, named by where it
    /// sits, so that whoever mends the database knows which cell to look at.
    #[error(
        "the database holds a value Redress cannot read: {table}.{column} of `{row}` is `{value}`, \
         expected {expected}"
    )]
    Unreadable {
        /// The table.
        table: &'static str,
        /// The row, by its key.
        row: String,
        /// The column.
        column: &'static str,
        /// What is stored there (cut short if long).
        value: String,
        /// What the column holds, e.g. "an amount".
        expected: &'static str,
    },
    /// Billing data to write refers to a record it does not hold; nothing was written.
    #[error("the billing data is incomplete: {0}")]
    DanglingReference(String),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("database error: {}", describe(.0))]
    Postgres(postgres::Error),
    /// Rows could not be streamed to PostgreSQL.
    #[error("database error while copying rows: {0}")]
    Copy(std::io::Error),
    /// The operating system gave no random bytes for a secret.
    #[error("cannot make a secret: the operating system gives no random bytes ({0})")]
    NoRandomness(String),
    /// The store was closed.
    #[error("the database connection pool is closed")]
    Closed,
    /// A write was refused by the database at commit time, with the others committed with it.
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
    /// A write failed in a way Redress did not foresee (a bug); nothing of it was kept.
    #[error("the write was interrupted by an internal error; nothing of it was kept")]
    Interrupted,
    /// The SQLite file's pages cannot be locked in memory.
    #[cfg(unix)]
    #[error(transparent)]
    KeepInMemory(#[from] super::resident::KeepInMemoryError),
    /// Only the SQLite file can be kept in memory (PostgreSQL keeps its own cache).
    #[error(
        "only the embedded SQLite database can be kept in memory; PostgreSQL keeps its own cache \
         (its shared_buffers setting)"
    )]
    KeepInMemoryNotSqlite,
}

/// The client's message with the server's (or the system's) reason behind it: the client's
/// own message alone is often just "db error".
pub(crate) fn describe(e: &postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl From<postgres::Error> for StorageError {
    fn from(e: postgres::Error) -> Self {
        StorageError::Postgres(e)
    }
}
