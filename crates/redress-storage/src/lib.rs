//! Redress's database: one data-access layer over two real backends.
//!
//! The embedded default is a SQLite file in WAL mode under a data directory, so Redress runs
//! with nothing else installed; PostgreSQL serves teams that outgrow one machine. The backend is
//! chosen by the URL's scheme (`sqlite:` or `postgres:`). Both run the same queries through
//! sqlx's `Any` driver, each with its own versioned migrations, applied when the store opens.

pub mod attachments;
pub mod audit_log;
mod billing;
mod contract_data;
pub mod disputes;
pub mod idempotency;
mod migrations;
pub mod tokens;

pub use audit_log::now;
pub use billing::{ImportCounts, TableCounts};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The SQLite file in a data directory.
pub const DATABASE_FILE: &str = "redress.db";

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded SQLite database in this directory (created when missing).
    DataDir(PathBuf),
    /// A database URL: `sqlite://PATH` or `postgres://…`.
    Url(String),
}

impl Location {
    /// `--database-url` when given, else `--data-dir`.
    pub fn from_args(data_dir: &Path, database_url: Option<&str>) -> Self {
        match database_url {
            Some(url) => Self::Url(url.to_owned()),
            None => Self::DataDir(data_dir.to_owned()),
        }
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL, a server.
    Postgres,
}

impl FromStr for Backend {
    type Err = StorageError;

    /// The backend of a database URL, by its scheme.
    fn from_str(url: &str) -> Result<Self, StorageError> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Self::Sqlite),
            Some("postgres" | "postgresql") => Ok(Self::Postgres),
            _ => Err(StorageError::UnsupportedUrl(redact(url))),
        }
    }
}

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
    #[error("cannot open the database {url}: {source}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed or the applied ones do not match this version of Redress.
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that cannot be read back: the database was changed behind Redress's back.
    #[error("the database holds a value Redress cannot read: {0}")]
    Corrupt(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// An open database, its schema up to date.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens (creating where needed) the database at `location` and applies any pending
    /// migrations.
    pub async fn open(location: &Location) -> Result<Self, StorageError> {
        let store = Self::connect(location).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without touching its schema.
    pub async fn connect(location: &Location) -> Result<Self, StorageError> {
        install_default_drivers();
        let url = match location {
            Location::DataDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StorageError::DataDir {
                    path: dir.clone(),
                    source,
                })?;
                format!("sqlite://{}?mode=rwc", dir.join(DATABASE_FILE).display())
            }
            Location::Url(url) => url.clone(),
        };
        let backend: Backend = url.parse()?;
        let connect = |source| StorageError::Connect {
            url: redact(&url),
            source,
        };
        let options = AnyPoolOptions::new().max_connections(match backend {
            // One writer at a time is SQLite's nature; readers share the file through WAL.
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        });
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                         PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options.connect(&url).await.map_err(connect)?;
        if backend == Backend::Sqlite {
            // Persistent for the file: readers never block the writer.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        Ok(Self { pool, backend })
    }

    /// Applies the migrations this version of Redress has and the database lacks; returns the
    /// versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, StorageError> {
        migrations::run(&self.pool, self.backend).await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for the data-access modules.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// A statement written with `?` placeholders, in the backend's own style (`$1`, `$2`, … for
/// PostgreSQL). Only ever given SQL written in this crate, never user input.
pub(crate) fn placeholders(backend: Backend, sql: &str) -> sqlx::AssertSqlSafe<String> {
    match backend {
        Backend::Sqlite => sqlx::AssertSqlSafe(sql.to_owned()),
        Backend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            sqlx::AssertSqlSafe(out)
        }
    }
}

/// A URL fit to show: without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_follows_the_url_scheme() {
        assert_eq!("sqlite://x.db".parse::<Backend>().unwrap(), Backend::Sqlite);
        assert_eq!(
            "postgres://u@h/db".parse::<Backend>().unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            "postgresql://u@h/db".parse::<Backend>().unwrap(),
            Backend::Postgres
        );
        assert!(matches!(
            "mysql://h/db".parse::<Backend>(),
            Err(StorageError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/redress"),
            "postgres://app:***@db:5432/redress"
        );
        assert_eq!(
            redact("postgres://app@db/redress"),
            "postgres://app@db/redress"
        );
    }
}
