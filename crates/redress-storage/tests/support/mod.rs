//! A fresh database per test, on the backend the suite runs against.
//!
//! `REDRESS_TEST_BACKEND=sqlite` (the default) gives each test a SQLite file in its own
//! temporary data directory. `REDRESS_TEST_BACKEND=postgres` gives each test a new database on
//! the server at `REDRESS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(dead_code)]

use redress_storage::{Location, Store};
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor};
use std::sync::atomic::{AtomicU32, Ordering};

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
        sqlx::any::install_default_drivers();
        let admin = std::env::var("REDRESS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let name = format!(
            "redress_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = AnyConnection::connect(&admin)
            .await
            .expect("the PostgreSQL test server answers");
        conn.execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
            .await
            .unwrap();
        conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
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
            let mut conn = AnyConnection::connect(admin).await.unwrap();
            conn.execute(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await
            .unwrap();
        }
    }
}
