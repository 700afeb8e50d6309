//! A transaction as every use case gets one: begun as its intent asks, its work run, then
//! committed with the audit events the work recorded appended to the log in one go, or rolled
//! back with them. The log is appended here, at the commit, rather than by each writer, so that
//! a change and its record are one commit and the log's head row is locked only that long.

use super::error::StorageError;
use super::location::Backend;
use super::sql::{Db, Intent, Upsert, Value, params};
use redress_domain::audit_log::{AuditEvent, EventHash, NewEvent};

/// The audit log's columns, in the order its rows are written and read.
pub(crate) const EVENT_COLUMNS: &str = "sequence, occurred_at, actor, entity, entity_id, action, \
    before_json, after_json, previous_hash, hash";

impl dyn Db + '_ {
    /// Runs `work` in a transaction: committed when it gives `Ok`, rolled back when it gives
    /// `Err` (or fails to commit).
    pub fn transaction<T, E: From<StorageError>>(
        &mut self,
        intent: Intent,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.events().clear();
        self.script(self.begin_statement(intent))?;
        match work(self) {
            Ok(value) => match self.commit() {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = self.script("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                // The error that matters is the one that made us roll back.
                self.events().clear();
                let _ = self.script("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Appends the transaction's audit events to the log, then commits.
    pub fn commit(&mut self) -> Result<(), StorageError> {
        let events = std::mem::take(self.events());
        append_all(self, events)?;
        self.script("COMMIT")
    }
}

/// Records `event` in the log as part of the open transaction: it is appended, after the
/// log's last event, when the transaction commits (with every other event of the transaction,
/// in one go), and not at all if it rolls back.
pub(crate) fn append(db: &mut dyn Db, event: NewEvent) -> Result<(), StorageError> {
    db.events().push(event);
    Ok(())
}

/// The audit log's last event, as the head row records it: `(sequence, hash)`.
fn head(db: &mut dyn Db) -> Result<(u64, EventHash), StorageError> {
    // Locking the head row makes concurrent appends take turns (SQLite writers always do).
    let sql = format!(
        "SELECT sequence, hash FROM audit_head WHERE id = 1{}",
        db.row_lock()
    );
    let (sequence, hash) = db
        .row(&sql, &[], |row| Ok((row.int(0)?, row.string(1)?)))?
        .ok_or_else(|| StorageError::Corrupt("the audit log's head row is missing".into()))?;
    Ok((
        sequence as u64,
        EventHash::from_hex(&hash).unwrap_or(EventHash::GENESIS),
    ))
}

/// Appends `events` to the log within the open transaction, after the current last event, and
/// gives them sealed.
fn append_all(db: &mut dyn Db, events: Vec<NewEvent>) -> Result<Vec<AuditEvent>, StorageError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let (mut last, mut previous) = head(db)?;
    let sealed: Vec<AuditEvent> = events
        .into_iter()
        .map(|event| {
            last += 1;
            let event = event.seal(last, previous);
            previous = event.hash;
            event
        })
        .collect();
    fn row<'a>(event: &'a AuditEvent, hashes: &'a (String, String)) -> [Value<'a>; 10] {
        [
            Value::Int(event.sequence as i64),
            Value::from(&event.event.occurred_at),
            Value::from(&event.event.actor),
            Value::from(&event.event.entity),
            Value::from(&event.event.entity_id),
            Value::from(&event.event.action),
            Value::from(&event.event.before),
            Value::from(&event.event.after),
            Value::from(&hashes.0),
            Value::from(&hashes.1),
        ]
    }
    let hashes: Vec<(String, String)> = sealed
        .iter()
        .map(|e| (e.previous_hash.to_string(), e.hash.to_string()))
        .collect();
    let head_hash = previous.to_string();
    let bulk_from = match db.backend() {
        Backend::Sqlite => BULK_FROM_SQLITE,
        Backend::Postgres => BULK_FROM_POSTGRES,
    };
    if sealed.len() < bulk_from {
        // One statement for them all.
        let each = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        let mut values: Vec<Value<'_>> = sealed
            .iter()
            .zip(&hashes)
            .flat_map(|(event, hashes)| row(event, hashes))
            .collect();
        let insert = format!(
            "INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES {}",
            vec![each; sealed.len()].join(", ")
        );
        if db.backend() == Backend::Postgres {
            // With the head's update, in one round trip to the server.
            values.extend([Value::Int(last as i64), Value::from(&head_hash)]);
            db.execute(
                &format!(
                    "WITH appended AS ({insert} RETURNING 1) \
                     UPDATE audit_head SET sequence = ?, hash = ? WHERE id = 1"
                ),
                &values,
            )?;
            return Ok(sealed);
        }
        db.execute(&insert, &values)?;
    } else {
        let mut pairs = sealed.iter().zip(&hashes);
        db.upsert_many(&EVENTS, &mut |sink| {
            pairs.try_for_each(|(event, hashes)| sink(&row(event, hashes)))
        })?;
    }
    db.execute(
        "UPDATE audit_head SET sequence = ?, hash = ? WHERE id = 1",
        params![last as i64, &head_hash],
    )?;
    Ok(sealed)
}

/// From this many events at once (an import's disputes), the log is written in bulk; below,
/// in one statement of rows. On PostgreSQL the bulk path (a staging table made, filled by
/// `COPY` and emptied) costs a catalog write and three round trips, so a group of intakes
/// (three events each, up to 64 intakes) is one statement; the bound keeps its parameters
/// (ten an event) within the server's limit. On SQLite the bulk path is one prepared row
/// insert run again and again, and statements of more rows, each count a text of its own to
/// parse, cost more than they save.
const BULK_FROM_POSTGRES: usize = 512;
const BULK_FROM_SQLITE: usize = 64;

/// The audit log's rows, only ever inserted.
const EVENTS: Upsert = Upsert {
    table: "audit_events",
    columns: &[
        "sequence",
        "occurred_at",
        "actor",
        "entity",
        "entity_id",
        "action",
        "before_json",
        "after_json",
        "previous_hash",
        "hash",
    ],
    key: &[],
};
