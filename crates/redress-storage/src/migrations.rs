//! Versioned migrations, one set per backend, embedded in the binary and applied by sqlx's
//! migrator (which records them in `_sqlx_migrations` and refuses ones changed after applying).

use crate::{Backend, StorageError};
use sqlx::AnyPool;
use sqlx::SqlSafeStr;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::future::Future;
use std::pin::Pin;

/// `(version, description, SQLite script, PostgreSQL script)`, in order.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "billing data",
        include_str!("../migrations/sqlite/0001_billing_data.sql"),
        include_str!("../migrations/postgres/0001_billing_data.sql"),
    ),
    (
        2,
        "audit log",
        include_str!("../migrations/sqlite/0002_audit_log.sql"),
        include_str!("../migrations/postgres/0002_audit_log.sql"),
    ),
    (
        3,
        "disputes",
        include_str!("../migrations/sqlite/0003_disputes.sql"),
        include_str!("../migrations/postgres/0003_disputes.sql"),
    ),
    (
        4,
        "api tokens",
        include_str!("../migrations/sqlite/0004_api_tokens.sql"),
        include_str!("../migrations/postgres/0004_api_tokens.sql"),
    ),
    (
        5,
        "idempotency keys",
        include_str!("../migrations/sqlite/0005_idempotency.sql"),
        include_str!("../migrations/postgres/0005_idempotency.sql"),
    ),
    (
        6,
        "case notes",
        include_str!("../migrations/sqlite/0006_case_notes.sql"),
        include_str!("../migrations/postgres/0006_case_notes.sql"),
    ),
    (
        7,
        "attachments",
        include_str!("../migrations/sqlite/0007_attachments.sql"),
        include_str!("../migrations/postgres/0007_attachments.sql"),
    ),
];

/// The embedded migrations of one backend.
#[derive(Debug)]
struct Embedded(Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, description, sqlite, postgres)| {
                let sql = match self.0 {
                    Backend::Sqlite => sqlite,
                    Backend::Postgres => postgres,
                };
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

/// Applies what is pending; returns the versions applied now.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<Vec<i64>, StorageError> {
    let migrator = Migrator::new(Embedded(backend)).await?;
    let applied: Vec<i64> = applied_versions(pool).await?;
    migrator.run(pool).await?;
    Ok(MIGRATIONS
        .iter()
        .map(|m| m.0)
        .filter(|v| !applied.contains(v))
        .collect())
}

/// Versions already applied (none on a new database).
async fn applied_versions(pool: &AnyPool) -> Result<Vec<i64>, StorageError> {
    let rows: Result<Vec<(i64,)>, sqlx::Error> =
        sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await;
    // The table does not exist before the first migration.
    Ok(rows
        .map(|r| r.into_iter().map(|(v,)| v).collect())
        .unwrap_or_default())
}
