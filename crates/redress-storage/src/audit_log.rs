//! The audit log in the database, read back: appended inside the transaction of the change it
//! records (by the engine, when the transaction commits: every writer only records its events),
//! never updated or deleted (the database refuses both), and checked end to end by
//! [`AuditLog::verify`].

use crate::engine::sql::{Db, Row, Value, params};
use crate::engine::transaction::{EVENT_COLUMNS, append};
use crate::engine::{StorageError, Store, Work};
use redress_domain::audit_log::{AuditEvent, BrokenChain, ChainCheck, EventHash, NewEvent};

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

/// A stored event, as read; its hashes are checked by [`to_event`].
struct EventRow {
    sequence: u64,
    event: NewEvent,
    previous_hash: String,
    hash: String,
}

fn read_event(row: &dyn Row) -> Result<EventRow, StorageError> {
    Ok(EventRow {
        sequence: row.int(0)? as u64,
        event: NewEvent {
            occurred_at: row.string(1)?,
            actor: row.string(2)?,
            entity: row.string(3)?,
            entity_id: row.string(4)?,
            action: row.string(5)?,
            before: row.opt_string(6)?,
            after: row.opt_string(7)?,
        },
        previous_hash: row.string(8)?,
        hash: row.string(9)?,
    })
}

fn to_event(row: EventRow) -> Result<AuditEvent, LogError> {
    let sequence = row.sequence;
    let parse = |hex: &str| EventHash::from_hex(hex).ok_or(LogError::MalformedHash(sequence));
    Ok(AuditEvent {
        sequence,
        previous_hash: parse(&row.previous_hash)?,
        hash: parse(&row.hash)?,
        event: row.event,
    })
}

/// The audit log, read: `store.audit_log()`.
#[derive(Debug, Clone, Copy)]
pub struct AuditLog<'s>(pub(crate) &'s Store);

impl AuditLog<'_> {
    /// The events about one thing, oldest first.
    pub async fn events_of(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEvent>, LogError> {
        self.events_where(
            "entity = ? AND entity_id = ?",
            vec![entity.to_owned(), entity_id.to_owned()],
        )
        .await
    }

    /// A dispute's full history, oldest first: the events about the dispute and about its
    /// resolutions.
    pub async fn dispute_history(&self, dispute_id: &str) -> Result<Vec<AuditEvent>, LogError> {
        self.events_where(
            "(entity = 'dispute' AND entity_id = ?) OR (entity = 'resolution' \
             AND entity_id IN (SELECT id FROM resolutions WHERE dispute_id = ?))",
            vec![dispute_id.to_owned(), dispute_id.to_owned()],
        )
        .await
    }

    /// The events that meet `condition` (with `binds` for its `?`s), oldest first.
    async fn events_where(
        &self,
        condition: &'static str,
        binds: Vec<String>,
    ) -> Result<Vec<AuditEvent>, LogError> {
        let rows = self
            .0
            .run(move |db| events_where(db, condition, &binds))
            .await?;
        rows.into_iter().map(to_event).collect()
    }

    /// Checks the whole log, a page at a time: every event in place, linked to the one before,
    /// unchanged, and none missing at the end. Gives how many events were checked.
    pub async fn verify(&self) -> Result<u64, LogError> {
        let mut check = ChainCheck::default();
        loop {
            let after = check.checked() as i64;
            let rows = self.0.run(move |db| page_after(db, after)).await?;
            let done = (rows.len() as i64) < PAGE;
            for row in rows {
                check.check(&to_event(row)?)?;
            }
            if done {
                break;
            }
        }
        let (recorded, hash) = self.0.run(recorded_head).await?;
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

/// Records `event` on its own (for changes that have no other writes).
pub fn record(event: NewEvent) -> Work<(), StorageError> {
    Work::new(move |db| append(db, event))
}

/// The events that meet `condition` (with `binds` for its `?`s), oldest first, as stored.
fn events_where(
    db: &mut dyn Db,
    condition: &str,
    binds: &[String],
) -> Result<Vec<EventRow>, StorageError> {
    let sql =
        format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE {condition} ORDER BY sequence");
    let values: Vec<Value<'_>> = binds.iter().map(Value::from).collect();
    db.rows(&sql, &values, read_event)
}

/// How many events [`AuditLog::verify`] reads at a time.
const PAGE: i64 = 10_000;

/// The page of events after sequence `after`, as stored.
fn page_after(db: &mut dyn Db, after: i64) -> Result<Vec<EventRow>, StorageError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT {PAGE}"
    );
    db.rows(&sql, params![after], read_event)
}

/// The last event as the head row records it: `(sequence, hash)`.
fn recorded_head(db: &mut dyn Db) -> Result<(i64, String), StorageError> {
    db.row(
        "SELECT sequence, hash FROM audit_head WHERE id = 1",
        &[],
        |row| Ok((row.int(0)?, row.string(1)?)),
    )?
    .ok_or_else(|| StorageError::Corrupt("the audit log's head row is missing".into()))
}
