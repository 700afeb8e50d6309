//! A fresh, empty database for one test, on the backend the suite runs against, named by a
//! database URL that every `redress` crate takes:
//!
//! - `REDRESS_TEST_BACKEND=sqlite` (the default): a SQLite file in a temporary directory of the
//!   test's own, `sqlite://DIR/redress.db`;
//! - `REDRESS_TEST_BACKEND=postgres`: a new database on the server at
//!   `REDRESS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`), dropped
//!   when the test is done with it.
//!
//! It knows nothing of Redress's crates, so that a test of any of them (the server's, which may
//! reach the database only through the service) can use it.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A test's database.
pub struct TestDatabase {
    url: String,
    /// The SQLite file, on that backend.
    sqlite: Option<PathBuf>,
    /// The temporary directory the SQLite file is in, kept for the test.
    _dir: Option<tempfile::TempDir>,
    /// `(admin URL, database name)` on PostgreSQL.
    postgres: Option<(String, String)>,
}

/// Runs `sql` on the PostgreSQL server at `url`, statement by statement, on a thread of its own
/// (the synchronous client must not block a thread that runs async tasks).
fn on_postgres(url: &str, sql: Vec<String>) -> Vec<Result<(), String>> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .expect("the PostgreSQL test server answers");
        sql.iter()
            .map(|s| {
                client
                    .batch_execute(s)
                    .map_err(|e| match std::error::Error::source(&e) {
                        Some(cause) => format!("{e}: {cause}"),
                        None => e.to_string(),
                    })
            })
            .collect()
    })
    .join()
    .expect("the PostgreSQL client's thread ends")
}

impl TestDatabase {
    /// A new, empty database.
    pub fn new() -> Self {
        match std::env::var("REDRESS_TEST_BACKEND").as_deref() {
            Ok("postgres") => Self::postgres(),
            Ok("sqlite") | Err(_) => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                // The file a data directory holds (`redress_storage::DATABASE_FILE`), so that
                // the directory can be given as one too.
                let file = dir.path().join("redress.db");
                Self {
                    url: format!("sqlite://{}", file.display()),
                    sqlite: Some(file),
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Ok(other) => panic!("REDRESS_TEST_BACKEND={other}: expected sqlite or postgres"),
        }
    }

    fn postgres() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("REDRESS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let name = format!(
            "redress_test_db_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        for made in on_postgres(
            &admin,
            vec![
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ],
        ) {
            made.expect("the test database is made");
        }
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        Self {
            url: format!("{base}/{name}"),
            sqlite: None,
            _dir: None,
            postgres: Some((admin, name)),
        }
    }

    /// Its URL: `sqlite://PATH` or `postgres://…`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite file, on that backend: in a directory of its own, as a data directory holds it.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite.as_deref()
    }

    /// Whether it is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Runs `sql` as the database's owner could, behind Redress's back; gives each statement's
    /// outcome, with the database's message when it refused.
    pub fn raw(&self, sql: &[&str]) -> Vec<Result<(), String>> {
        let sql: Vec<String> = sql.iter().map(|s| s.to_string()).collect();
        match &self.sqlite {
            None => on_postgres(&self.url, sql),
            Some(file) => {
                let conn = rusqlite::Connection::open(file).expect("the SQLite file opens");
                sql.iter()
                    .map(|s| conn.execute_batch(s).map_err(|e| e.to_string()))
                    .collect()
            }
        }
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    /// Removes the database (PostgreSQL; a SQLite directory goes with the test), whoever still
    /// holds connections to it.
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            let _ = on_postgres(
                admin,
                vec![format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
            );
        }
    }
}
