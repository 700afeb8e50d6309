//! Where the database is: `--data-dir` (the embedded default) or `--database-url`.

use clap::Args;
use redress_service::records::Location;
use std::path::PathBuf;

/// The database options every command that touches the database takes.
#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// The directory of the embedded SQLite database (created when missing).
    #[arg(long, default_value = "redress-data", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// A database URL instead: `postgres://USER@HOST:PORT/DB` for PostgreSQL, or
    /// `sqlite://PATH`.
    #[arg(long, env = "REDRESS_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
}

impl DatabaseArgs {
    /// The database these options name.
    pub fn location(&self) -> Location {
        Location::from_args(&self.data_dir, self.database_url.as_deref())
    }
}

/// A runtime for the database commands, which are async end to end.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
