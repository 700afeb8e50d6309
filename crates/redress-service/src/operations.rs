//! Running Redress: its database's health, schema and memory, and the audit log.

use crate::redress::Redress;
use redress_domain::DisputeStatus;
use redress_domain::audit_log::AuditEvent;
use redress_storage::audit_log::LogError;
use redress_storage::backup::{BackedUp, BackupError, Census, Restored};
use redress_storage::{Backend, Location, StorageError};
use std::path::Path;

/// What running Redress needs.
pub struct Operations<'a>(pub(crate) &'a Redress);

impl Redress {
    /// What running Redress needs.
    pub fn operations(&self) -> Operations<'_> {
        Operations(self)
    }
}

impl Operations<'_> {
    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.0.store.ping().await
    }

    /// Applies the migrations the database lacks; gives the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, StorageError> {
        self.0.store.migrate().await
    }

    /// Opens every connection the pool may have, before serving.
    pub async fn open_every_connection(&self) -> Result<(), StorageError> {
        self.0.store.open_every_connection().await
    }

    /// Keeps the SQLite file's pages locked in memory; gives the bytes locked now.
    #[cfg(unix)]
    pub fn keep_in_memory(&self) -> Result<u64, StorageError> {
        self.0.store.keep_in_memory()
    }

    /// The database in use.
    pub fn backend(&self) -> Backend {
        self.0.store.backend()
    }

    /// Closes the connections not in use.
    pub async fn close(&self) {
        self.0.store.clone().close().await
    }

    /// Checks the audit log's hash chain end to end; gives how many events it holds.
    pub async fn verify_log(&self) -> Result<u64, LogError> {
        self.0.store.audit_log().verify().await
    }

    /// The audit log's events of one thing, oldest first.
    pub async fn events_of(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEvent>, LogError> {
        self.0.store.audit_log().events_of(entity, entity_id).await
    }

    /// Writes a consistent copy of the embedded database to `file` (which must not exist)
    /// while servers go on writing: every write committed before it, none after.
    pub async fn back_up(&self, file: &Path) -> Result<BackedUp, BackupError> {
        self.0.store.back_up_to(file).await
    }

    /// Checks the database as a restore checks a backup (the audit log's chain, every ledger
    /// posting balanced) and counts what it holds.
    pub async fn census(&self) -> Result<Census, BackupError> {
        self.0.store.census().await
    }

    /// How many disputes are in each status.
    pub async fn dispute_counts(&self) -> Result<Vec<(DisputeStatus, u64)>, StorageError> {
        self.0.store.disputes().counts().await
    }
}

/// Puts the backup `backup` (made by [`Operations::back_up`]) in place of the embedded
/// database at `location`, once it is checked; refused while any Redress process has that
/// database open, and where there is a database already unless `replace` (it is then kept
/// beside, as `redress.db.replaced-TIME`). PostgreSQL has its own tools.
pub async fn restore(
    backup: &Path,
    location: &Location,
    replace: bool,
) -> Result<Restored, BackupError> {
    let database = location.sqlite_file()?.ok_or(BackupError::NotEmbedded)?;
    redress_storage::backup::restore(backup, &database, replace).await
}
