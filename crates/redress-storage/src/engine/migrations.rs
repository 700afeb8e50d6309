//! Versioned migrations, one set per backend, embedded in the binary. The pending ones are
//! applied together in one transaction, each recorded in `redress_migrations` with the SHA-256
//! of its script, so that a script changed after it was applied is refused rather than
//! silently skipped.

use super::error::StorageError;
use super::location::Backend;
use super::sql::{Db, params};
use super::stored::now;
use sha2::{Digest, Sha256};

/// `(version, description, SQLite script, PostgreSQL script)`, in order.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "billing data",
        include_str!("../../migrations/sqlite/0001_billing_data.sql"),
        include_str!("../../migrations/postgres/0001_billing_data.sql"),
    ),
    (
        2,
        "audit log",
        include_str!("../../migrations/sqlite/0002_audit_log.sql"),
        include_str!("../../migrations/postgres/0002_audit_log.sql"),
    ),
    (
        3,
        "disputes",
        include_str!("../../migrations/sqlite/0003_disputes.sql"),
        include_str!("../../migrations/postgres/0003_disputes.sql"),
    ),
    (
        4,
        "api tokens",
        include_str!("../../migrations/sqlite/0004_api_tokens.sql"),
        include_str!("../../migrations/postgres/0004_api_tokens.sql"),
    ),
    (
        5,
        "idempotency keys",
        include_str!("../../migrations/sqlite/0005_idempotency.sql"),
        include_str!("../../migrations/postgres/0005_idempotency.sql"),
    ),
    (
        6,
        "case notes",
        include_str!("../../migrations/sqlite/0006_case_notes.sql"),
        include_str!("../../migrations/postgres/0006_case_notes.sql"),
    ),
    (
        7,
        "attachments",
        include_str!("../../migrations/sqlite/0007_attachments.sql"),
        include_str!("../../migrations/postgres/0007_attachments.sql"),
    ),
    (
        8,
        "audit log keyed by row id",
        include_str!("../../migrations/sqlite/0008_audit_log_rowid.sql"),
        include_str!("../../migrations/postgres/0008_audit_log_rowid.sql"),
    ),
    (
        9,
        "indexes for reading a contract back",
        include_str!("../../migrations/sqlite/0009_contract_reads.sql"),
        include_str!("../../migrations/postgres/0009_contract_reads.sql"),
    ),
    (
        10,
        "indexes for the dispute list",
        include_str!("../../migrations/sqlite/0010_dispute_list.sql"),
        include_str!("../../migrations/postgres/0010_dispute_list.sql"),
    ),
    (
        11,
        "contract snapshots",
        include_str!("../../migrations/sqlite/0011_contract_snapshots.sql"),
        include_str!("../../migrations/postgres/0011_contract_snapshots.sql"),
    ),
    (
        12,
        "narrow delivery index",
        include_str!("../../migrations/sqlite/0012_narrow_delivery_index.sql"),
        include_str!("../../migrations/postgres/0012_narrow_delivery_index.sql"),
    ),
    (
        13,
        "credit notes and ledger",
        include_str!("../../migrations/sqlite/0013_credit_notes_and_ledger.sql"),
        include_str!("../../migrations/postgres/0013_credit_notes_and_ledger.sql"),
    ),
    (
        14,
        "resolutions",
        include_str!("../../migrations/sqlite/0014_resolutions.sql"),
        include_str!("../../migrations/postgres/0014_resolutions.sql"),
    ),
    (
        15,
        "every kind of resolution",
        include_str!("../../migrations/sqlite/0015_every_resolution.sql"),
        include_str!("../../migrations/postgres/0015_every_resolution.sql"),
    ),
    (
        16,
        "contract snapshots in their own form",
        include_str!("../../migrations/sqlite/0016_snapshots_in_their_own_form.sql"),
        include_str!("../../migrations/postgres/0016_snapshots_in_their_own_form.sql"),
    ),
    (
        17,
        "books held right, and users",
        include_str!("../../migrations/sqlite/0017_books_and_people.sql"),
        include_str!("../../migrations/postgres/0017_books_and_people.sql"),
    ),
    (
        18,
        "signing in to the desk, and escalated disputes listed",
        include_str!("../../migrations/sqlite/0018_desk.sql"),
        include_str!("../../migrations/postgres/0018_desk.sql"),
    ),
    (
        19,
        "asking a colleague for a statement",
        include_str!("../../migrations/sqlite/0019_statement_requests.sql"),
        include_str!("../../migrations/postgres/0019_statement_requests.sql"),
    ),
    (
        20,
        "arrears settled by a compromise",
        include_str!("../../migrations/sqlite/0020_compromises.sql"),
        include_str!("../../migrations/postgres/0020_compromises.sql"),
    ),
    (
        21,
        "causes followed to their end",
        include_str!("../../migrations/sqlite/0021_causes_followed.sql"),
        include_str!("../../migrations/postgres/0021_causes_followed.sql"),
    ),
    (
        22,
        "when a dispute was resolved",
        include_str!("../../migrations/sqlite/0022_resolved_at.sql"),
        include_str!("../../migrations/postgres/0022_resolved_at.sql"),
    ),
    (
        23,
        "messages to and from customers, and their outbox",
        include_str!("../../migrations/sqlite/0023_messages.sql"),
        include_str!("../../migrations/postgres/0023_messages.sql"),
    ),
    (
        24,
        "the customer portal's links, and satisfaction",
        include_str!("../../migrations/sqlite/0024_portal.sql"),
        include_str!("../../migrations/postgres/0024_portal.sql"),
    ),
    (
        25,
        "service-level timers",
        include_str!("../../migrations/sqlite/0025_service_level_timers.sql"),
        include_str!("../../migrations/postgres/0025_service_level_timers.sql"),
    ),
    (
        26,
        "resolutions offered to the customer, accepted or declined; failed deliveries indexed",
        include_str!("../../migrations/sqlite/0026_offers.sql"),
        include_str!("../../migrations/postgres/0026_offers.sql"),
    ),
    (
        27,
        "sign-in failures, for the lock-out",
        include_str!("../../migrations/sqlite/0027_sign_in_failures.sql"),
        include_str!("../../migrations/postgres/0027_sign_in_failures.sql"),
    ),
    (
        28,
        "practice sessions, cases and answers; playbooks",
        include_str!("../../migrations/sqlite/0028_practice.sql"),
        include_str!("../../migrations/postgres/0028_practice.sql"),
    ),
];

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS redress_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

fn sha256_hex(script: &str) -> String {
    Sha256::digest(script.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Applies what is pending, within the open transaction; returns the versions applied now.
/// Two processes migrating at once take turns: SQLite's write lock, or a PostgreSQL advisory
/// lock, is held throughout.
pub(crate) fn run(db: &mut dyn Db) -> Result<Vec<i64>, StorageError> {
    let backend = db.backend();
    {
        if backend == Backend::Postgres {
            // Any constant will do, as long as it is Redress's alone: "redress" in ASCII.
            db.execute("SELECT pg_advisory_xact_lock(32199629435401075)", &[])?;
        }
        db.script(LEDGER)?;
        adopt_sqlx_ledger(db)?;
        let applied: Vec<(i64, String)> = db.rows(
            "SELECT version, sha256 FROM redress_migrations ORDER BY version",
            &[],
            |row| Ok((row.int(0)?, row.string(1)?)),
        )?;
        let mut now_applied = Vec::new();
        for &(version, description, sqlite, postgres) in MIGRATIONS {
            let script = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            let sha256 = sha256_hex(script);
            match applied.iter().find(|(v, _)| *v == version) {
                Some((_, recorded)) if *recorded == sha256 => continue,
                Some(_) => {
                    return Err(StorageError::MigrationChanged {
                        version,
                        description,
                    });
                }
                None => {}
            }
            db.script(script)
                .map_err(|e| StorageError::MigrationFailed {
                    version,
                    description,
                    reason: e.to_string(),
                })?;
            db.execute(
                "INSERT INTO redress_migrations (version, description, sha256, applied_at) VALUES (?, ?, ?, ?)",
                params![version, description, &sha256, &now()],
            )?;
            now_applied.push(version);
        }
        Ok(now_applied)
    }
}

/// Databases made by earlier versions of Redress recorded their migrations in sqlx's
/// `_sqlx_migrations`; the versions it lists successful are taken as applied, once.
fn adopt_sqlx_ledger(db: &mut dyn Db) -> Result<(), StorageError> {
    let exists = match db.backend() {
        Backend::Sqlite => {
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT 1 FROM pg_tables WHERE tablename = '_sqlx_migrations' AND schemaname = current_schema()"
        }
    };
    if db.row(exists, &[], |_| Ok(()))?.is_none()
        || db
            .row("SELECT 1 FROM redress_migrations", &[], |_| Ok(()))?
            .is_some()
    {
        return Ok(());
    }
    let versions = db.rows(
        "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        &[],
        |row| row.int(0),
    )?;
    let backend = db.backend();
    for version in versions {
        if let Some(&(_, description, sqlite, postgres)) =
            MIGRATIONS.iter().find(|m| m.0 == version)
        {
            let script = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            db.execute(
                "INSERT INTO redress_migrations (version, description, sha256, applied_at) VALUES (?, ?, ?, ?)",
                params![version, description, &sha256_hex(script), &now()],
            )?;
        }
    }
    Ok(())
}
