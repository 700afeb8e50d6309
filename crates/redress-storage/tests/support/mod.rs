//! A fresh database per test, on the backend the suite runs against.
//!
//! `REDRESS_TEST_BACKEND=sqlite` (the default) gives each test a SQLite file in its own
//! temporary data directory. `REDRESS_TEST_BACKEND=postgres` gives each test a new database on
//! the server at `REDRESS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(dead_code)]

use redress_storage::{DATABASE_FILE, Location, Store};
use std::sync::atomic::{AtomicU32, Ordering};

/// Runs `sql` on the PostgreSQL server at `url`, on a thread of its own (the synchronous client
/// must not block a thread that runs async tasks).
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
    .unwrap()
}

/// The worked example of billing data v1 (`fixtures/audit-v1/data`), read as an export.
pub fn worked_example() -> redress_domain::BillingData {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    redress_import::read_billing_data(&dir, &redress_import::NoProgress).unwrap()
}

/// A test's database, removed by [`TestDb::drop_database`].
pub struct TestDb {
    pub location: Location,
    /// The temporary data directory (SQLite), kept alive for the test.
    _dir: Option<tempfile::TempDir>,
    /// `(admin URL, database name)` (PostgreSQL).
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A new, empty database.
    pub async fn new() -> Self {
        match std::env::var("REDRESS_TEST_BACKEND").as_deref() {
            Ok("postgres") => Self::postgres().await,
            Ok("sqlite") | Err(_) => {
                let dir = tempfile::tempdir().unwrap();
                Self {
                    location: Location::DataDir(dir.path().join("data")),
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Ok(other) => panic!("REDRESS_TEST_BACKEND={other}: expected sqlite or postgres"),
        }
    }

    async fn postgres() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("REDRESS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let name = format!(
            "redress_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        for result in on_postgres(
            &admin,
            vec![
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ],
        ) {
            result.unwrap();
        }
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        Self {
            location: Location::Url(format!("{base}/{name}")),
            _dir: None,
            postgres: Some((admin, name)),
        }
    }

    /// Opens the store (migrating it).
    pub async fn store(&self) -> Store {
        Store::open(&self.location)
            .await
            .expect("the test database opens")
    }

    /// Removes the database (PostgreSQL; a SQLite directory goes with the test).
    pub async fn drop_database(self, store: Store) {
        store.close().await;
        if let Some((admin, name)) = &self.postgres {
            for result in on_postgres(
                admin,
                vec![format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
            ) {
                result.unwrap();
            }
        }
    }

    /// Runs `sql` as the database's owner could, behind Redress's back; gives each statement's
    /// outcome, with the database's message when it refused.
    pub fn raw(&self, sql: &[&str]) -> Vec<Result<(), String>> {
        let sql: Vec<String> = sql.iter().map(|s| s.to_string()).collect();
        match &self.location {
            Location::Url(url) => on_postgres(url, sql),
            Location::DataDir(dir) => {
                let conn = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
                sql.iter()
                    .map(|s| conn.execute_batch(s).map_err(|e| e.to_string()))
                    .collect()
            }
        }
    }
}
