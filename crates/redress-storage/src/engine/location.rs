//! Where the database is (a data directory or a URL), and which backend that names: the
//! URL's scheme decides.

use super::error::StorageError;
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
    /// The SQLite file this location names: the data directory's, or a `sqlite://` URL's;
    /// `None` for PostgreSQL.
    pub fn sqlite_file(&self) -> Result<Option<PathBuf>, StorageError> {
        Ok(match self {
            Self::DataDir(dir) => Some(dir.join(DATABASE_FILE)),
            Self::Url(url) => match url.parse::<Backend>()? {
                Backend::Sqlite => Some(PathBuf::from(
                    url.trim_start_matches("sqlite:")
                        .trim_start_matches("//")
                        .split('?')
                        .next()
                        .unwrap_or_default(),
                )),
                Backend::Postgres => None,
            },
        })
    }

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

/// A URL fit to show: without its password.
pub(crate) fn redact(url: &str) -> String {
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
