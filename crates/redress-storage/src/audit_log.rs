//! The audit log in the database: appended inside the transaction of the change it records,
//! never updated or deleted (the database refuses both), and checked end to end by
//! [`Store::verify_log`].

use crate::{Backend, StorageError, Store, placeholders};
use redress_domain::audit_log::{AuditEvent, BrokenChain, ChainCheck, EventHash, NewEvent};
use sqlx::{Any, Transaction};

/// A stored event's row: sequence, occurred_at, actor, entity, entity_id, action, before, after,
/// previous hash, hash.
type EventRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

const EVENT_COLUMNS: &str = "sequence, occurred_at, actor, entity, entity_id, action, before_json, \
                             after_json, previous_hash, hash";

/// Why the log does not check out.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The chain is broken.
    #[error(transparent)]
    Broken(#[from] BrokenChain),
    /// A stored hash is not 64 hex digits: the row was edited.
    #[error("event {0} has a malformed hash: it was edited")]
    MalformedHash(u64),
    /// The log could not be read.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for LogError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.into())
    }
}

fn to_event(row: EventRow) -> Result<AuditEvent, LogError> {
    let (sequence, occurred_at, actor, entity, entity_id, action, before, after, previous, hash) =
        row;
    let sequence = sequence as u64;
    let parse = |hex: &str| EventHash::from_hex(hex).ok_or(LogError::MalformedHash(sequence));
    Ok(AuditEvent {
        sequence,
        event: NewEvent {
            occurred_at,
            actor,
            entity,
            entity_id,
            action,
            before,
            after,
        },
        previous_hash: parse(&previous)?,
        hash: parse(&hash)?,
    })
}

/// Appends `event` to the log within `tx`, after the current last event.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    event: NewEvent,
) -> Result<AuditEvent, StorageError> {
    // Locking the head row makes concurrent appends take turns (SQLite writers always do).
    let head_sql = match backend {
        Backend::Sqlite => "SELECT sequence, hash FROM audit_head WHERE id = 1",
        Backend::Postgres => "SELECT sequence, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let (last, last_hash): (i64, String) = sqlx::query_as(head_sql).fetch_one(&mut **tx).await?;
    let previous = EventHash::from_hex(&last_hash).unwrap_or(EventHash::GENESIS);
    let sealed = event.seal(last as u64 + 1, previous);
    sqlx::query(placeholders(
        backend,
        "INSERT INTO audit_events (sequence, occurred_at, actor, entity, entity_id, action, \
         before_json, after_json, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(sealed.sequence as i64)
    .bind(sealed.event.occurred_at.clone())
    .bind(sealed.event.actor.clone())
    .bind(sealed.event.entity.clone())
    .bind(sealed.event.entity_id.clone())
    .bind(sealed.event.action.clone())
    .bind(sealed.event.before.clone())
    .bind(sealed.event.after.clone())
    .bind(sealed.previous_hash.to_string())
    .bind(sealed.hash.to_string())
    .execute(&mut **tx)
    .await?;
    sqlx::query(placeholders(
        backend,
        "UPDATE audit_head SET sequence = ?, hash = ? WHERE id = 1",
    ))
    .bind(sealed.sequence as i64)
    .bind(sealed.hash.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(sealed)
}

/// Now, in UTC with microseconds, always the same width (`2026-11-23T14:28:28.750764Z`), so
/// that timestamps stored as text sort as times.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

impl Store {
    /// Records `event` on its own (for changes that have no other writes).
    pub async fn record_event(&self, event: NewEvent) -> Result<AuditEvent, StorageError> {
        let mut tx = self.pool().begin().await?;
        let sealed = append(&mut tx, self.backend, event).await?;
        tx.commit().await?;
        Ok(sealed)
    }

    /// The events about one thing, oldest first.
    pub async fn events_of(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEvent>, LogError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE entity = ? AND entity_id = ? ORDER BY sequence"
        );
        let rows: Vec<EventRow> = sqlx::query_as(placeholders(self.backend, &sql))
            .bind(entity.to_owned())
            .bind(entity_id.to_owned())
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(to_event).collect()
    }

    /// Checks the whole log, a page at a time: every event in place, linked to the one before,
    /// unchanged, and none missing at the end. Gives how many events were checked.
    pub async fn verify_log(&self) -> Result<u64, LogError> {
        const PAGE: i64 = 10_000;
        let mut check = ChainCheck::default();
        loop {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT {PAGE}"
            );
            let rows: Vec<EventRow> = sqlx::query_as(placeholders(self.backend, &sql))
                .bind(check.checked() as i64)
                .fetch_all(self.pool())
                .await?;
            let done = (rows.len() as i64) < PAGE;
            for row in rows {
                check.check(&to_event(row)?)?;
            }
            if done {
                break;
            }
        }
        let (recorded, hash): (i64, String) =
            sqlx::query_as("SELECT sequence, hash FROM audit_head WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        if recorded as u64 != check.checked() || hash != check.last_hash().to_string() {
            return Err(BrokenChain::Truncated {
                found: check.checked(),
                recorded: recorded as u64,
            }
            .into());
        }
        Ok(check.checked())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_have_one_width_so_that_they_sort_as_text() {
        let now = super::now();
        assert_eq!(now.len(), "2026-11-23T14:28:28.750764Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[19] == b'.', "{now}");
    }
}
